using System.Diagnostics;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>The real kubectl with something on its stdin: piped input, or a terminal (from <c>script</c>) that the test types into.</summary>
internal static class KubectlInteractive
{
    /// <summary>kubectl with <paramref name="input"/> on its stdin, closed after it; its exit code and its stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunWithInputAsync(string kubeconfig, string input, params string[] args)
    {
        var home = Directory.CreateTempSubdirectory("gateway-kubectl-").FullName;
        try
        {
            var info = Kubectl.StartInfo(kubeconfig, home, args);
            info.RedirectStandardInput = true;
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// kubectl on a terminal: <c>script</c> gives it one (kubectl's <c>-t</c> wants a terminal on its
    /// stdin) and passes on <paramref name="typed"/>; returns kubectl's exit code (<c>script -e</c>)
    /// and what the terminal showed.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunOnTerminalAsync(string kubeconfig, string typed, params string[] args)
    {
        var script = RequiredTool.Find("script", "bsdutils");
        var home = Directory.CreateTempSubdirectory("gateway-kubectl-").FullName;
        try
        {
            var kubectl = Kubectl.StartInfo(kubeconfig, home, args);
            var command = string.Join(' ', new[] { kubectl.FileName }.Concat(kubectl.ArgumentList).Select(a => $"'{a}'"));
            var info = new ProcessStartInfo(script) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "-q", "-e", "-c", command, "/dev/null" })
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["HOME"] = home;
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(typed);
            await process.StandardInput.FlushAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
