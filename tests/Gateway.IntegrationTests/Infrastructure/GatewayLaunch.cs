using System.Diagnostics;
using System.Text;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// The gateway executable on a settings file a test wrote whole (good, bad or mutated at random),
/// watched until it exits by itself or answers <c>/readyz</c>; and what it may leave behind.
/// </summary>
internal sealed class GatewayLaunch : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayLaunch(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args.Prepend(GatewayProcess.GatewayDll))
        {
            info.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += Append;
        _process.ErrorDataReceived += Append;
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

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

    private void Append(object? sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        }
    }

    /// <summary>True once the admin listener on <paramref name="adminPort"/> says ready; false when the gateway exited first.</summary>
    public async Task<bool> ReadyOrExitedAsync(int adminPort, TimeSpan timeout)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(2) };
        var ready = false;
        await Poll.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                return true;
            }

            try
            {
                return ready = (await admin.GetAsync("/readyz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, "the gateway to exit or be ready\n" + Output, timeout);
        if (!ready)
        {
            // Its output is complete only once the process is gone.
            await _process.WaitForExitAsync();
        }

        return ready;
    }

    /// <summary>Exits by itself within <paramref name="timeout"/>; returns the exit code.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            GatewayProcess.Signal(_process.Id, "TERM");
        }

        return await ExitAsync(TimeSpan.FromSeconds(45));
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

    /// <summary>The output shows no stack trace and no runtime crash.</summary>
    public static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", output);
    }

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
