using System.Diagnostics;
using System.Text;
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
    /// stdin) and passes on <paramref name="typed"/> once the command has written something (a shell's
    /// prompt); returns kubectl's exit code (<c>script -e</c>) and what the terminal showed.
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
            var shown = new StringBuilder();
            var prompted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stdout = Task.Run(async () =>
            {
                var buffer = new char[4096];
                int read;
                while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
                {
                    lock (shown)
                    {
                        shown.Append(buffer, 0, read);
                    }

                    prompted.TrySetResult();
                }

                prompted.TrySetResult();
            });
            var stderr = process.StandardError.ReadToEndAsync();

            // Typed once the remote shell has shown its prompt, as a person would: what is typed
            // before kubectl has put its terminal in raw mode is the local terminal's, not the shell's.
            await prompted.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await process.StandardInput.WriteAsync(typed);
            await process.StandardInput.FlushAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await stdout;
            return (process.ExitCode, shown + await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
