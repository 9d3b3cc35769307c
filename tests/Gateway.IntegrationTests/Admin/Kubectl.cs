using System.Diagnostics;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>The real kubectl with a kubeconfig the gateway wrote, and a home and cache of its own.</summary>
internal static class Kubectl
{
    /// <summary>Runs kubectl; fails the test when it exits non-zero; returns stdout and stderr.</summary>
    public static async Task<string> RunAsync(string kubeconfig, params string[] args)
    {
        var (exitCode, output) = await RunToExitAsync(kubeconfig, args);
        Assert.True(exitCode == 0, $"kubectl {string.Join(' ', args)} exited with {exitCode}:\n{output}");
        return output;
    }

    /// <summary>Runs kubectl to its exit, whatever its exit code; returns the code and stdout and stderr.</summary>
    public static Task<(int ExitCode, string Output)> ExecAsync(string kubeconfig, params string[] args) => RunToExitAsync(kubeconfig, args);

    /// <summary>Runs kubectl to its exit, whatever its exit code; returns the code and stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string kubeconfig, params string[] args)
    {
        var home = Directory.CreateTempSubdirectory("gateway-kubectl-").FullName;
        try
        {
            using var process = Process.Start(StartInfo(kubeconfig, home, args))!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>kubectl with these arguments, its output redirected, its home and cache in <paramref name="home"/>.</summary>
    public static ProcessStartInfo StartInfo(string kubeconfig, string home, IEnumerable<string> args)
    {
        var kubectl = RequiredTool.Find("kubectl", "kubernetes-client");
        var info = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(home, "cache"), .. args])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = home;
        return info;
    }
}
