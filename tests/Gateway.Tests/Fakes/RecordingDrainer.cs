using Gateway.Pods;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Fakes;

/// <summary>An <see cref="IPodDrainer"/> that records each drain; with <see cref="Hold"/> it waits until released.</summary>
internal sealed class RecordingDrainer : IPodDrainer
{
    private readonly Lock _lock = new();
    private readonly List<DrainCall> _calls = [];
    private readonly ConditionSignal _changed = new();
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordingDrainer() => _release.SetResult();

    public sealed record DrainCall(PodState Pod, DateTimeOffset Deadline);

    public IReadOnlyList<DrainCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Drains from now on wait for <see cref="Release"/>.</summary>
    public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    public async Task<DrainCall> WaitForDrainAsync(string podName)
    {
        await _changed.WaitAsync(() => Calls.Any(c => c.Pod.Name == podName), $"a drain of {podName}");
        return Calls.First(c => c.Pod.Name == podName);
    }

    public Task DrainAsync(PodState pod, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _calls.Add(new DrainCall(pod, deadline));
        }

        _changed.Notify();
        return _release.Task;
    }
}
