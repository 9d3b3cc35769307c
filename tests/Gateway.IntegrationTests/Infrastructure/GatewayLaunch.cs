using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// The gateway executable on a settings file a test wrote whole (good, bad or mutated at random),
/// watched until it exits by itself or answers <c>/readyz</c>; and what it may leave behind.
/// </summary>
internal sealed class GatewayLaunch : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayLaunch(IEnumerable<string> args) => _process = GatewayProcess.Launch(args, _output);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    public static GatewayLaunch Start(string settingsPath) => new(["--config", settingsPath]);

    /// <summary>
    /// True once the admin listener on <paramref name="adminPort"/> says ready, or when the gateway still
    /// runs after <paramref name="timeout"/> (its admin listener may be elsewhere); false when it exited.
    /// </summary>
    public async Task<bool> RunningAsync(int adminPort, TimeSpan timeout)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = new CancellationTokenSource(timeout);
        while (!_process.HasExited && !deadline.IsCancellationRequested)
        {
            try
            {
                if ((await admin.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        if (_process.HasExited)
        {
            // Its output is complete only once the process is gone.
            await _process.WaitForExitAsync();
            return false;
        }

        return true;
    }

    /// <summary>Exits by itself within <paramref name="timeout"/>; returns the exit code.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then the exit code; a <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 45 s).</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            GatewayProcess.Signal(_process.Id, "TERM");
        }

        return await ExitAsync(timeout ?? TimeSpan.FromSeconds(45));
    }

    /// <summary>Live processes whose command line holds <paramref name="marker"/>, e.g. a row's container.</summary>
    public static IReadOnlyList<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != Environment.ProcessId)
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(marker, StringComparison.Ordinal) && GatewayProcess.IsAlive(pid))
                    {
                        found.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // Exited while we looked.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return found;
    }

    /// <summary>Whether the output shows a stack trace or the runtime's crash report.</summary>
    public static bool HasStackTrace(string output) =>
        output.Contains("Unhandled exception", StringComparison.Ordinal) || Regex.IsMatch(output, @"(?m)^\s+at \S+\(");

    public static void AssertNoStackTrace(string output) => Assert.False(HasStackTrace(output), $"a stack trace in:\n{output}");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
