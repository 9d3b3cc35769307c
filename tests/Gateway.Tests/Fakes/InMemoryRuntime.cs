using Gateway.Runtimes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Fakes;

/// <summary>
/// An <see cref="IContainerRuntime"/> without processes: each start is an <see cref="Instance"/> that
/// runs until the test makes it exit or it is stopped. Starts, stops (with their grace periods) and
/// exec calls are recorded with the (fake) time they happened at.
/// </summary>
internal sealed class InMemoryRuntime(TimeProvider time) : IContainerRuntime
{
    private readonly Lock _lock = new();
    private readonly List<Instance> _instances = [];
    private readonly List<StopCall> _stops = [];
    private readonly HashSet<string> _failingContainers = new(StringComparer.Ordinal);
    private readonly ConditionSignal _changed = new();
    private int _nextId;

    public sealed record StopCall(string Container, string InstanceId, TimeSpan GracePeriod, DateTimeOffset At);

    public sealed record ExecCall(string InstanceId, IReadOnlyList<string> Command, TimeSpan Timeout);

    /// <summary>The exit code of a stopped instance: 137, as for a container killed by the gateway.</summary>
    public int StopExitCode { get; set; } = 137;

    /// <summary>What <see cref="IContainerInstance.ExecAsync"/> answers.</summary>
    public ExecResult ExecResult { get; set; } = new(0, "", TimedOut: false);

    /// <summary>Every instance started, oldest first.</summary>
    public IReadOnlyList<Instance> Instances
    {
        get
        {
            lock (_lock)
            {
                return [.. _instances];
            }
        }
    }

    public IReadOnlyList<StopCall> Stops
    {
        get
        {
            lock (_lock)
            {
                return [.. _stops];
            }
        }
    }

    /// <summary>Makes starts of <paramref name="container"/> throw <see cref="ContainerStartException"/>.</summary>
    public void FailStarts(string container)
    {
        lock (_lock)
        {
            _failingContainers.Add(container);
        }
    }

    public IReadOnlyList<Instance> InstancesOf(string podName, string container) =>
        [.. Instances.Where(i => i.Launch.PodName == podName && i.Launch.Container.Name == container)];

    /// <summary>Completes once <paramref name="count"/> instances matching <paramref name="match"/> have started.</summary>
    public async Task<IReadOnlyList<Instance>> WaitForInstancesAsync(int count, Func<Instance, bool>? match = null)
    {
        match ??= _ => true;
        await _changed.WaitAsync(() => Instances.Count(match) >= count, $"{count} started instance(s)");
        return [.. Instances.Where(match)];
    }

    /// <summary>Completes once <paramref name="count"/> stops have been asked for.</summary>
    public async Task<IReadOnlyList<StopCall>> WaitForStopsAsync(int count)
    {
        await _changed.WaitAsync(() => Stops.Count >= count, $"{count} stop(s)");
        return Stops;
    }

    /// <summary>
    /// Starts do not answer until their cancellation token fires, and then answer with an instance
    /// all the same: a runtime that could not abort a creation already under way.
    /// </summary>
    public bool HoldStarts { get; set; }

    /// <summary>A held start saw its cancellation.</summary>
    public bool HeldStartsCancelled { get; private set; }

    private int _heldStarts;

    /// <summary>Completes once <paramref name="count"/> starts are being held.</summary>
    public Task WaitForHeldStartsAsync(int count) => _changed.WaitAsync(() => Volatile.Read(ref _heldStarts) >= count, $"{count} held start(s)");

    public async Task<IContainerInstance> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        if (HoldStarts)
        {
            Interlocked.Increment(ref _heldStarts);
            _changed.Notify();
            await Cancellation.WhenCancelled(cancellationToken);
            HeldStartsCancelled = cancellationToken.IsCancellationRequested;
        }

        return Start(launch);
    }

    private Instance Start(ContainerLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        Instance instance;
        lock (_lock)
        {
            if (_failingContainers.Contains(launch.Container.Name))
            {
                throw new ContainerStartException($"no such program: {(launch.Argv.Count > 0 ? launch.Argv[0] : "")}");
            }

            instance = new Instance(this, $"i{++_nextId}", launch, time.GetUtcNow());
            _instances.Add(instance);
        }

        _changed.Notify();
        return instance;
    }

    private void RecordStop(Instance instance, TimeSpan gracePeriod)
    {
        lock (_lock)
        {
            _stops.Add(new StopCall(instance.Launch.Container.Name, instance.Id, gracePeriod, time.GetUtcNow()));
        }

        _changed.Notify();
    }

    /// <summary>One run of a container.</summary>
    public sealed class Instance(InMemoryRuntime runtime, string id, ContainerLaunch launch, DateTimeOffset startedAt) : IContainerInstance
    {
        private readonly TaskCompletionSource<ContainerExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private readonly List<ExecCall> _execs = [];

        public string Id => id;

        public ContainerLaunch Launch => launch;

        public DateTimeOffset StartedAt => startedAt;

        public Task<ContainerExit> Exited => _exited.Task;

        public bool IsDisposed { get; private set; }

        public IReadOnlyList<ExecCall> Execs
        {
            get
            {
                lock (_lock)
                {
                    return [.. _execs];
                }
            }
        }

        /// <summary>The container's process ends by itself with <paramref name="exitCode"/>.</summary>
        public void Exit(int exitCode) => _exited.TrySetResult(ContainerExit.FromCode(exitCode));

        public Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
        {
            runtime.RecordStop(this, gracePeriod);
            _exited.TrySetResult(ContainerExit.FromCode(runtime.StopExitCode));
            return _exited.Task;
        }

        public Task<ExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _execs.Add(new ExecCall(id, command, timeout));
            }

            return Task.FromResult(runtime.ExecResult);
        }

        /// <summary>One line: <c>log of {id}</c>.</summary>
        public ContainerLog Log { get; } = LogOf(id);

        private static ContainerLog LogOf(string id)
        {
            var log = new ContainerLog();
            log.Append($"log of {id}");
            return log;
        }

        public ValueTask DisposeAsync()
        {
            IsDisposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
