using System.Collections.Immutable;
using Gateway.Runtimes;
using Gateway.Specs;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Fakes;

/// <summary>
/// An <see cref="InMemoryRuntime"/> whose containers outlive the gateway: <see cref="AdoptAsync"/> hands
/// back the pods a test left "running", or throws while <see cref="Unreachable"/> is set.
/// </summary>
internal sealed class AdoptingRuntime(InMemoryRuntime inner) : IContainerRuntime, IAdoptingRuntime
{
    private readonly List<AdoptedPod> _leftRunning = [];
    private readonly ConditionSignal _changed = new();
    private int _adoptCalls;

    public volatile bool Unreachable;

    public int AdoptCalls => Volatile.Read(ref _adoptCalls);

    public Task<IContainerInstance> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken) => inner.StartAsync(launch, cancellationToken);

    /// <summary>Leaves a pod of <paramref name="service"/> running, as an earlier gateway would have.</summary>
    public async Task LeaveRunningAsync(ServiceSpec service, string podName, int restartCount, DateTimeOffset startedAt)
    {
        var containers = new List<AdoptedContainer>();
        foreach (var container in service.Pods!.PodSpec.Containers)
        {
            var instance = await inner.StartAsync(new ContainerLaunch
            {
                Namespace = "default",
                PodName = podName,
                PodUid = "uid-" + podName,
                ServiceName = service.Name,
                Container = container,
                Argv = container.Command is { } command ? [.. command] : [],
                Environment = new Dictionary<string, string>(),
                Ports = [],
            }, CancellationToken.None);
            containers.Add(new AdoptedContainer(container.Name, instance, restartCount, startedAt));
        }

        _leftRunning.Add(new AdoptedPod(service.Name, podName, "uid-" + podName, ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty, containers));
    }

    /// <summary>Completes once <see cref="AdoptAsync"/> has been called <paramref name="count"/> times; each of those calls has read <see cref="Unreachable"/>.</summary>
    public Task WaitForAdoptCallsAsync(int count) => _changed.WaitAsync(() => AdoptCalls >= count, $"{count} adoption call(s)");

    public Task<IReadOnlyList<AdoptedPod>> AdoptAsync(IReadOnlyList<ServiceSpec> services, CancellationToken cancellationToken)
    {
        // Read before the call is counted: a test that saw the count may change the answer for the next call only.
        var answer = Unreachable
            ? Task.FromException<IReadOnlyList<AdoptedPod>>(new HttpRequestException("connection refused"))
            : Task.FromResult<IReadOnlyList<AdoptedPod>>([.. _leftRunning]);
        Interlocked.Increment(ref _adoptCalls);
        _changed.Notify();
        return answer;
    }
}
