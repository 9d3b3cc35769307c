using System.Globalization;
using Gateway.Pods;

namespace Gateway.Admin;

/// <summary>The columns of <c>kubectl get pods</c> for one pod, decided as kubectl's printer does.</summary>
internal static class PodSummary
{
    /// <summary>READY: ready containers / containers.</summary>
    public static string Ready(PodState pod) => $"{pod.Containers.Count(c => c.Ready)}/{pod.Containers.Length}";

    /// <summary>STATUS: Terminating, Init:N/M, a container's waiting or terminated reason, else the phase.</summary>
    public static string Status(PodState pod)
    {
        if (pod.IsDeleting)
        {
            return "Terminating";
        }

        for (var i = 0; i < pod.InitContainers.Length; i++)
        {
            var init = pod.InitContainers[i];
            if (init.State == ContainerRunState.Terminated && init.Terminated?.ExitCode == 0)
            {
                continue;
            }

            return init switch
            {
                { State: ContainerRunState.Terminated, Terminated: { } t } => $"Init:{t.Reason}",
                { State: ContainerRunState.Waiting, WaitingReason: { } w } when w != "PodInitializing" => $"Init:{w}",
                _ => $"Init:{i}/{pod.InitContainers.Length}",
            };
        }

        var status = pod.Phase.ToString();
        var anyRunningReady = false;
        foreach (var c in pod.Containers.Reverse())
        {
            if (c.State == ContainerRunState.Waiting && c.WaitingReason is { Length: > 0 } waiting)
            {
                status = waiting;
            }
            else if (c.State == ContainerRunState.Terminated && c.Terminated is { } t)
            {
                status = t.Reason.Length > 0 ? t.Reason : $"ExitCode:{t.ExitCode}";
            }
            else if (c.IsRunning && c.Ready)
            {
                anyRunningReady = true;
            }
        }

        return status == "Completed" && anyRunningReady ? "Running" : status;
    }

    /// <summary>RESTARTS: the sum over containers, with how long ago the last one ended, as <c>3 (12s ago)</c>.</summary>
    public static string Restarts(PodState pod, DateTimeOffset now)
    {
        var all = pod.InitContainers.Concat(pod.Containers).ToList();
        var count = all.Sum(c => c.RestartCount);
        var last = all.Where(c => c.RestartCount > 0).Select(c => c.LastTermination?.FinishedAt).Max();
        return count == 0 || last is null ? count.ToString(CultureInfo.InvariantCulture) : $"{count} ({Age(now - last.Value)} ago)";
    }

    /// <summary>AGE as kubectl prints durations: 45s, 3m12s, 25m, 4h30m, 2d3h, 12d.</summary>
    public static string Age(TimeSpan age)
    {
        var seconds = (long)Math.Max(0, age.TotalSeconds);
        string F(long value) => value.ToString(CultureInfo.InvariantCulture);
        return seconds switch
        {
            < 120 => $"{F(seconds)}s",
            < 600 => seconds % 60 == 0 ? $"{F(seconds / 60)}m" : $"{F(seconds / 60)}m{F(seconds % 60)}s",
            < 3 * 3600 => $"{F(seconds / 60)}m",
            < 8 * 3600 => seconds / 60 % 60 == 0 ? $"{F(seconds / 3600)}h" : $"{F(seconds / 3600)}h{F(seconds / 60 % 60)}m",
            < 48 * 3600 => $"{F(seconds / 3600)}h",
            < 8 * 86400 => seconds / 3600 % 24 == 0 ? $"{F(seconds / 86400)}d" : $"{F(seconds / 86400)}d{F(seconds / 3600 % 24)}h",
            _ => $"{F(seconds / 86400)}d",
        };
    }
}
