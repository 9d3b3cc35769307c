using System.Collections.Immutable;
using Gateway.Runtimes;

namespace Gateway.Pods;

/// <summary>
/// Starts a pod's container instances through its runtime and watches each until it exits, as the
/// kubelet's startContainer. The pod loop calls it; the runtime's answers come back only as
/// <paramref name="started"/> and the events given to <paramref name="post"/>, and a start task reads
/// nothing of the pod but the values it was handed.
/// </summary>
// The deletion's token source has no timer and lives as long as the pod: a start answering late may still read it.
#pragma warning disable CA1001
internal sealed class ContainerStarter(PodWorkerContext context, string? configDirectory, Action<PodEvent> post, Action<RunningContainer> started)
#pragma warning restore CA1001
{
    private readonly CancellationTokenSource _deleted = new();

    // The pod loop's alone: it adds starts, and hands them over once, at the deletion.
    private readonly List<Task<RunningContainer?>> _starts = [];

    /// <summary>Asks the runtime for a new instance of <paramref name="name"/>; the answer comes back as <c>started</c> or a start failure.</summary>
    public void Start(PodState pod, string name)
    {
        var spec = pod.FindSpec(name)!;
        var ports = PortsOf(pod, name);
        Dictionary<string, string> environment;
        try
        {
            environment = ContainerLaunchBuilder.Environment(pod, spec, ports, configDirectory);
        }
        catch (ContainerStartException e)
        {
            // A ConfigMap, Secret or key that is not there: the kubelet's CreateContainerConfigError, retried after a back-off.
            post(new PodEvent.ContainerStartFailed(name, e.Message, e.Reason));
            return;
        }

        var launch = new ContainerLaunch
        {
            Namespace = pod.Namespace,
            PodName = pod.Name,
            PodUid = pod.Uid,
            ServiceName = pod.ServiceName,
            Container = spec,
            Argv = ContainerLaunchBuilder.Argv(spec, environment),
            Environment = environment,
            Ports = ports,
            Volumes = [.. pod.Spec.Volumes ?? []],
            Objects = pod.Objects,
            RestartCount = pod.FindContainer(name)?.InstancesStarted ?? 0,
            ConfigDirectory = configDirectory,
            PodLabels = pod.Labels,
            TemplateHash = pod.TemplateHash,
            RecordEvent = (type, reason, message) => context.Events.Record(pod.Namespace, pod.Name, pod.Uid, type, reason, message, pod.FindContainer(name)?.FieldPath),
        };

        _starts.RemoveAll(s => s.IsCompleted);
        _starts.Add(Task.Run(() => StartInstanceAsync(pod, name, launch)));
    }

    /// <summary>Takes over an instance an earlier gateway left running, and watches it.</summary>
    public RunningContainer Adopt(PodState pod, AdoptedContainer adopted)
    {
        ArgumentNullException.ThrowIfNull(adopted);
        var environment = ContainerLaunchBuilder.Environment(pod, pod.FindSpec(adopted.Name)!, PortsOf(pod, adopted.Name), configDirectory);
        _ = WatchAsync(adopted.Name, adopted.Instance);
        return RunningContainer.Of(pod, adopted.Name, adopted.Instance, environment);
    }

    /// <summary>The pod is being deleted: cancels the asks under way and returns their starts, to be waited for.</summary>
    public IReadOnlyList<Task<RunningContainer?>> CancelAll()
    {
        _deleted.Cancel();
        return [.. _starts];
    }

    private static ImmutableArray<PortMapping> PortsOf(PodState pod, string name) =>
        pod.Ports.TryGetValue(name, out var ports) ? ports : [];

    /// <summary>Asks the runtime for an instance; a deletion cancels the ask. Returns the instance, or null when none was started.</summary>
    private async Task<RunningContainer?> StartInstanceAsync(PodState pod, string name, ContainerLaunch launch)
    {
        IContainerInstance instance;
        try
        {
            instance = await context.Runtimes.For(pod.Runtime).StartAsync(launch, _deleted.Token);
        }
        catch (OperationCanceledException) when (_deleted.IsCancellationRequested)
        {
            return null;
        }
        catch (ContainerStartException e)
        {
            post(new PodEvent.ContainerStartFailed(name, e.Message, e.Reason));
            return null;
        }
        catch (Exception e)
        {
            post(new PodEvent.ContainerStartFailed(name, e.Message));
            return null;
        }

        var running = RunningContainer.Of(pod, name, instance, launch.Environment);
        started(running);
        _ = WatchAsync(name, instance);
        return running;
    }

    private async Task WatchAsync(string name, IContainerInstance instance)
    {
        var exit = await instance.Exited;
        post(new PodEvent.ContainerExited(name, instance.Id, exit.ExitCode, exit.Reason, exit.Message));
    }
}
