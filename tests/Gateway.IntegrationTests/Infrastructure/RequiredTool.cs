namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// An external program a test needs (promtool, prometheus, chromium). Absent, the test is skipped
/// with a one-line reason; with <c>GATEWAY_REQUIRE_TOOLS=1</c> (CI installs them) it fails instead.
/// </summary>
internal static class RequiredTool
{
    public static string Find(string name, string package)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        if (path is not null)
        {
            return path;
        }

        var reason = $"{name} not found on PATH; install the Debian package '{package}'";
        if (Environment.GetEnvironmentVariable("GATEWAY_REQUIRE_TOOLS") == "1")
        {
            Assert.Fail(reason + " (GATEWAY_REQUIRE_TOOLS=1)");
        }

        Skip.If(true, reason);
        return name;
    }
}
