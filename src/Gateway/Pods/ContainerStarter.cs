using System.Collections.Immutable;
using Gateway.Events;
using Gateway.Runtimes;
using Gateway.Specs;

namespace Gateway.Pods;

/// <summary>
/// Starts a pod's container instances through its runtime and watches each until it exits, as the
/// kubelet's startContainer. The pod loop calls it; the runtime's answers come back only as
/// <paramref name="started"/> and the events given to <paramref name="post"/>, and a start task reads
/// nothing of the pod but the values it was handed.
/// </summary>
// The deletion's token source has no timer and lives as long as the pod: a start answering late may still read it.
#pragma warning disable CA1001
internal sealed partial class ContainerStarter(
    PodWorkerContext context, string? configDirectory, Action<PodEvent> post, Action<RunningContainer> started, Action<RunningContainer, PodEvent.PostStartHookFailed> postStartFailed)
#pragma warning restore CA1001
{
    /// <summary>postStart has no time limit in Kubernetes; the gateway stops at the longest it times.</summary>
    private static readonly TimeSpan PostStartLimit = TimeSpan.FromSeconds(PodSpecValidator.MaxDurationSeconds);

    private readonly ILogger _logger = context.LoggerFactory.CreateLogger<ContainerStarter>();
    private readonly ContainerStopper _stopper = new(context, context.LoggerFactory.CreateLogger<ContainerStopper>());
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

        var instance = pod.FindContainer(name)?.InstancesStarted ?? 0;
        var messageFile = NewMessageFile(pod, name, instance);
        if (messageFile is not null && pod.Runtime == RuntimeKind.Process)
        {
            environment.TryAdd(PodSpecDefaults.TerminationMessagePathVariable, messageFile);
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
            RestartCount = instance,
            ConfigDirectory = configDirectory,
            PodLabels = pod.Labels,
            TemplateHash = pod.TemplateHash,
            TerminationMessageFile = messageFile,
            LogFile = context.LogFiles?.For(pod.Namespace, pod.Name, pod.Uid, name, instance),
            RecordEvent = (type, reason, message) => context.Events.Record(pod.Namespace, pod.Name, pod.Uid, type, reason, message, pod.FindContainer(name)?.FieldPath),
        };

        _starts.RemoveAll(s => s.IsCompleted);
        _starts.Add(Task.Run(() => StartInstanceAsync(pod, name, launch, messageFile)));
    }

    /// <summary>Removes the termination-message files of a pod that is gone.</summary>
    public static void RemoveMessageFiles(PodWorkerContext context, string pod)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TerminationMessageDirectory is { } directory && Directory.Exists(Path.Combine(directory, pod)))
        {
            try
            {
                Directory.Delete(Path.Combine(directory, pod), recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the state folder's owner; nothing reads it again.
            }
        }
    }

    /// <summary>
    /// A fresh, empty termination-message file for instance number <paramref name="instance"/> of a
    /// Process or Docker container, as the kubelet makes one per container (world-writable, as the
    /// kubelet's, so that a container's non-root user can write it through the bind mount); null under
    /// other runtimes.
    /// </summary>
    private string? NewMessageFile(PodState pod, string name, int instance)
    {
        if (!HasMessageFiles(pod.Runtime) || context.TerminationMessageDirectory is not { } directory)
        {
            return null;
        }

        var file = TerminationMessage.FileOf(directory, pod.Name, name, instance);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, []);
            if (pod.Runtime == RuntimeKind.Docker && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }

            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.MessageFileFailed(_logger, pod.Name, name, file, e);
            return null;
        }
    }

    /// <summary>Takes over an instance an earlier gateway left running, and watches it.</summary>
    public RunningContainer Adopt(PodState pod, AdoptedContainer adopted)
    {
        ArgumentNullException.ThrowIfNull(adopted);
        var environment = ContainerLaunchBuilder.Environment(pod, pod.FindSpec(adopted.Name)!, PortsOf(pod, adopted.Name), configDirectory);
        var messageFile = adopted.TerminationMessageFile ?? (HasMessageFiles(pod.Runtime) && context.TerminationMessageDirectory is { } directory
            ? TerminationMessage.FileOf(directory, pod.Name, adopted.Name, adopted.RestartCount)
            : null);
        if (messageFile is not null && pod.Runtime == RuntimeKind.Process)
        {
            environment.TryAdd(PodSpecDefaults.TerminationMessagePathVariable, messageFile);
        }

        _ = WatchAsync(pod, adopted.Name, adopted.Instance, messageFile);
        return RunningContainer.Of(pod, adopted.Name, adopted.Instance, environment);
    }

    /// <summary>The pod is being deleted: cancels the asks under way and returns their starts, to be waited for.</summary>
    public IReadOnlyList<Task<RunningContainer?>> CancelAll()
    {
        _deleted.Cancel();
        return [.. _starts];
    }

    /// <summary>The runtimes whose instances write their termination message to a host file: the Process runtime's app directly, Docker's through a bind mount.</summary>
    private static bool HasMessageFiles(RuntimeKind runtime) => runtime is RuntimeKind.Process or RuntimeKind.Docker;

    private static ImmutableArray<PortMapping> PortsOf(PodState pod, string name) =>
        pod.Ports.TryGetValue(name, out var ports) ? ports : [];

    /// <summary>Asks the runtime for an instance; a deletion cancels the ask. Returns the instance, or null when none was started.</summary>
    private async Task<RunningContainer?> StartInstanceAsync(PodState pod, string name, ContainerLaunch launch, string? messageFile)
    {
        IContainerInstance instance;
        try
        {
            var runtime = context.Runtimes.For(pod.Runtime);
            if (PodNetworks.IsPodIp(pod.PodIp) && runtime is IPodNetworkRuntime networked)
            {
                var started = launch;
                launch = launch with { NetworkNamespace = (await context.Networks.JoinAsync(pod.Uid, pod.PodIp, () => networked.CreatePodNetworkAsync(started, _deleted.Token))).Path };
            }

            instance = await runtime.StartAsync(launch, _deleted.Token);
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
        if (launch.Container.Lifecycle?.PostStart is { } postStart)
        {
            var startedAt = context.Time.GetUtcNow();
            string? error;
            try
            {
                error = await RunPostStartAsync(postStart, running);
            }
            catch (OperationCanceledException) when (_deleted.IsCancellationRequested)
            {
                // Deleted while the hook ran: the deletion stops the instance.
                return running;
            }

            if (error is not null)
            {
                Log.PostStartFailed(_logger, pod.Name, name, error);
                RecordPostStartFailure(pod, name);
                await _stopper.KillUnstartedAsync(pod, running, RestartRules.KillGracePeriod(null, pod.Spec.TerminationGracePeriodSeconds));
                var exit = await instance.Exited;
                var message = await MessageOfAsync(pod, name, instance, exit, messageFile);
                postStartFailed(running, new PodEvent.PostStartHookFailed(name, instance.Id, startedAt, exit.ExitCode, exit.Reason, message));
                return running;
            }
        }

        started(running);
        _ = WatchAsync(pod, name, instance, messageFile);
        return running;
    }

    /// <summary>
    /// The events of a failed postStart hook, in the kubelet's order and words, recorded before the kill
    /// so that a failing preStop hook's event comes after them: the instance was created and started,
    /// its hook failed (<c>PostStartHook failed</c>, without the hook's output, lest it show a secret;
    /// the log has it), and it is killed with the reason as the message.
    /// </summary>
    private void RecordPostStartFailure(PodState pod, string name)
    {
        var fieldPath = pod.FindContainer(name)?.FieldPath;
        context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Normal, "Created", $"Created container {name}", fieldPath);
        context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Normal, "Started", $"Started container {name}", fieldPath);
        context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, FailedPostStartHookReason, PostStartHookFailedMessage, fieldPath);
        context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Normal, "Killing", FailedPostStartHookReason, fieldPath);
    }

    public const string FailedPostStartHookReason = "FailedPostStartHook";

    /// <summary>The kubelet's event message for a failed postStart hook: it leaves the hook's output out, lest it show a secret.</summary>
    public const string PostStartHookFailedMessage = "PostStartHook failed";

    /// <summary>
    /// The container's postStart hook, which the kubelet runs right after the start and before the
    /// container counts as running; an instance that exits meanwhile fails it.
    /// </summary>
    private async Task<string?> RunPostStartAsync(k8s.Models.V1LifecycleHandler hook, RunningContainer running)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_deleted.Token);
        var run = LifecycleHook.RunAsync(hook, running.Target, context.Prober, context.Time, context.Time.GetUtcNow() + PostStartLimit, stop.Token);
        if (await Task.WhenAny(run, running.Instance.Exited) == run)
        {
            return await run;
        }

        await stop.CancelAsync();
        _deleted.Token.ThrowIfCancellationRequested();
        return "the container exited before its postStart hook completed";
    }

    private async Task WatchAsync(PodState pod, string name, IContainerInstance instance, string? messageFile)
    {
        var exit = await instance.Exited;
        var message = await MessageOfAsync(pod, name, instance, exit, messageFile);
        post(new PodEvent.ContainerExited(name, instance.Id, exit.ExitCode, exit.Reason, message));
    }

    /// <summary>The ended instance's <c>terminated.message</c>, from its message file and (on failure, when asked) its log.</summary>
    private static async Task<string?> MessageOfAsync(PodState pod, string name, IContainerInstance instance, ContainerExit exit, string? messageFile)
    {
        var spec = pod.FindSpec(name);
        string? file = null;
        if (messageFile is not null && File.Exists(messageFile))
        {
            try
            {
                file = await ReadTailAsync(messageFile, TerminationMessage.MaxFileBytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                file = $"Error on reading termination log {messageFile}: {e.Message}";
            }
        }

        var log = TerminationMessage.NeedsLog(spec?.TerminationMessagePolicy, exit.ExitCode, file) ? instance.ReadLog() : null;
        return TerminationMessage.Compose(exit.Message, spec?.TerminationMessagePolicy, exit.ExitCode, file, () => log);
    }

    private static async Task<string> ReadTailAsync(string path, int maxBytes)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, useAsync: true);
        var length = stream.Length;
        var count = (int)Math.Min(length, maxBytes);
        stream.Seek(length - count, SeekOrigin.Begin);
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return TerminationMessage.Tail(System.Text.Encoding.UTF8.GetString(buffer), maxBytes);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "pod {Pod} container {Container}: postStart hook failed: {Error}")]
        public static partial void PostStartFailed(ILogger logger, string pod, string container, string error);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "pod {Pod} container {Container}: could not make the termination-message file {File}")]
        public static partial void MessageFileFailed(ILogger logger, string pod, string container, string file, Exception exception);
    }
}
