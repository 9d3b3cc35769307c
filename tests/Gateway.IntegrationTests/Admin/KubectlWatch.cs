using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>A kubectl that keeps running (<c>get -w</c>): its output as it comes, stopped on dispose.</summary>
internal sealed class KubectlWatch : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;
    private readonly StringBuilder _output = new();

    private KubectlWatch(Process process, string home)
    {
        _process = process;
        _home = home;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
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

    public static KubectlWatch Start(string kubeconfig, params string[] args)
    {
        var home = Directory.CreateTempSubdirectory("gateway-kubectl-").FullName;
        return new KubectlWatch(Process.Start(Kubectl.StartInfo(kubeconfig, home, args))!, home);
    }

    /// <summary>Waits until a line of the output matches <paramref name="pattern"/>.</summary>
    public Task WaitForAsync(string pattern, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => Task.FromResult(Regex.IsMatch(Output, pattern, RegexOptions.Multiline)), $"kubectl output matching {pattern}; have:\n{Output}", timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>Waits for kubectl to end by itself (as <c>logs -f</c> does when the container ends); its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
