using System.Globalization;

namespace Gateway.IntegrationTests.Capacity;

/// <summary>
/// A light service for capacity tests: pods of <c>/bin/sleep</c>, no port and no probe, whose command
/// line carries a marker (a tiny extra duration) that finds exactly this test's processes in <c>/proc</c>.
/// </summary>
internal static class Sleepers
{
    public static string NewMarker() => "0.000" + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>A <c>Gateway:Services</c> object with one service, <c>sleepers</c>.</summary>
    public static string Services(int replicas, string marker, int gracePeriodSeconds = 5, string command = "") => $$"""
        { "sleepers": {
            "Replicas": {{replicas}},
            "Template": { "spec": {
              "terminationGracePeriodSeconds": {{gracePeriodSeconds}},
              "containers": [ { "name": "sleep", "command": [ {{(command.Length > 0 ? command : "\"/bin/sleep\", \"3600\"")}}, "{{marker}}" ] } ] } } } }
        """;

    /// <summary>The live processes whose command line holds <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process: not one of ours.
            }
        }

        return found;
    }
}
