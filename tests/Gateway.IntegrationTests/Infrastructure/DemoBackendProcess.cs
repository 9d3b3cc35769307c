using System.Diagnostics;
using System.Text;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>A real demo backend process on a free loopback port; killed on dispose if still running.</summary>
internal sealed class DemoBackendProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private DemoBackendProcess(Process process, StringBuilder output, int port)
    {
        this.process = process;
        this.output = output;
        Port = port;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    /// <summary>A client for the backend's HTTP port that does not follow redirects.</summary>
    public HttpClient Http { get; }

    public int Id => process.Id;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts the backend with PORT set to a free port and waits for its "listening" line.</summary>
    public static Task<DemoBackendProcess> StartAsync(string podName, params string[] args) => StartOnPortAsync(FreePort.Get(), podName, args);

    /// <summary>Starts the backend on <paramref name="port"/> (a server coming back where it was) and waits for its "listening" line.</summary>
    public static async Task<DemoBackendProcess> StartOnPortAsync(int port, string podName, params string[] args)
    {
        var output = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Launch(args, port, podName, output, line =>
        {
            if (line.StartsWith("demo-backend listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        });

        var backend = new DemoBackendProcess(process, output, port);
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited).WaitAsync(Poll.DefaultTimeout);
        if (first == exited && !listening.Task.IsCompleted)
        {
            var exitCode = process.ExitCode;
            backend.Dispose();
            Assert.Fail($"The demo backend exited with {exitCode} before listening:\n{output}");
        }

        return backend;
    }

    /// <summary>Runs the backend to its end, for command lines that should not start a server.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] args)
    {
        var output = new StringBuilder();
        using var process = Launch(args, FreePort.Get(), "run-to-exit", output, _ => { });
        try
        {
            await process.WaitForExitAsync().WaitAsync(Poll.DefaultTimeout);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        // The parameterless wait returns only when redirected output has been read to its end.
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Sends SIGTERM, as the kubelet does to stop a container.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await process.WaitForExitAsync().WaitAsync(timeout ?? Poll.DefaultTimeout);
        return process.ExitCode;
    }

    /// <summary>SIGKILL, as a server that crashes: its connections reset and new ones are refused once it is gone.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(Poll.DefaultTimeout);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
        Http.Dispose();
    }

    private static Process Launch(string[] args, int port, string podName, StringBuilder output, Action<string> onStdoutLine)
    {
        // The dotnet CLI names its own host for child processes; fall back to the one on PATH.
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(RepoPaths.DemoBackendDll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment["POD_NAME"] = podName;

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(e.Data, onStdoutLine);
        process.ErrorDataReceived += (_, e) => Append(e.Data, _ => { });
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        void Append(string? line, Action<string> onLine)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            onLine(line);
        }
    }
}
