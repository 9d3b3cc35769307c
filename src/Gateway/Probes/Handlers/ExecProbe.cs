using System.Globalization;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Probes.Handlers;

/// <summary>
/// exec: runs the command (argv, no shell) in the container instance. Exit 0 is success, any other
/// exit is failure, and a command past the timeout is killed and counts as failure.
/// </summary>
internal static class ExecProbe
{
    public static async Task<ProbeOutcome> ProbeAsync(V1ExecAction action, ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (action.Command is not { Count: > 0 } command)
        {
            return ProbeOutcome.Error("exec probe has no command");
        }

        var environment = target.Environment;
        var argv = new string[command.Count];
        for (var i = 0; i < argv.Length; i++)
        {
            argv[i] = EnvExpansion.Expand(command[i] ?? string.Empty, name => environment.TryGetValue(name, out var value) ? value : null);
        }

        Runtimes.ExecResult result;
        try
        {
            result = await target.Exec(argv, timeout, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            // The runtime could not run the command at all: the kubelet's probe.Unknown with an error.
            return ProbeOutcome.Error(ProbeOutput.Truncate($"exec {Quote(argv)} failed: {exception.Message}"));
        }

        if (result.TimedOut)
        {
            return ProbeOutcome.Failure(string.Create(
                CultureInfo.InvariantCulture, $"command {Quote(argv)} timed out after {timeout.TotalSeconds:0.###}s"));
        }

        var output = ProbeOutput.Truncate(result.Output);
        return result.ExitCode == 0 ? ProbeOutcome.Success(output) : ProbeOutcome.Failure(output);
    }

    private static string Quote(string[] argv) => "\"" + string.Join(' ', argv) + "\"";
}
