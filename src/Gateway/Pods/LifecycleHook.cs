using Gateway.Probes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Pods;

/// <summary>
/// Runs a container's <c>lifecycle.postStart</c> or <c>lifecycle.preStop</c> handler (exec, httpGet or
/// sleep) by a deadline: what is left of the grace period for preStop.
/// </summary>
internal static class LifecycleHook
{
    /// <summary>Returns null when the hook succeeded, else why it failed. <paramref name="cancellationToken"/> abandons it (a deletion).</summary>
    public static async Task<string?> RunAsync(V1LifecycleHandler hook, ProbeTarget target, IProber prober, TimeProvider time, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var remaining = deadline - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return "no time left in the grace period";
        }

        try
        {
            if (hook.Sleep is { } sleep)
            {
                var wanted = TimeSpan.FromSeconds(sleep.Seconds);
                await Task.Delay(wanted < remaining ? wanted : remaining, time, cancellationToken);
                return null;
            }

            if (hook.Exec is { } exec)
            {
                var argv = exec.Command.Select(a => EnvExpansion.Expand(a, n => target.Environment.TryGetValue(n, out var v) ? v : null)).ToList();
                var result = await target.Exec(argv, remaining, cancellationToken);
                return result.TimedOut ? $"command timed out after {remaining.TotalSeconds:F0}s"
                    : result.ExitCode != 0 ? $"command exited with {result.ExitCode}: {result.Output.TrimEnd()}" : null;
            }

            if (hook.HttpGet is { } httpGet)
            {
                var probe = new V1Probe { HttpGet = httpGet, TimeoutSeconds = (int)Math.Clamp(remaining.TotalSeconds, 1, int.MaxValue) };
                var outcome = await prober.ProbeAsync(probe, target, cancellationToken);
                return outcome.Result == ProbeResult.Success && !outcome.IsError ? null : outcome.Output;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e.Message;
        }

        return null;
    }
}
