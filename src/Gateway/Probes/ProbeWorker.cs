using System.Threading.Channels;
using Gateway.Events;
using k8s.Models;
using Gateway.Specs;

namespace Gateway.Probes;

/// <summary>
/// One probe of one container instance, as the kubelet's prober worker: ticks every
/// <c>periodSeconds</c> on the injected clock, runs the handler, counts results against the
/// thresholds and reports the cached result only when it changes. It knows the container instance
/// only through <see cref="ProbedInstance"/>, so it probes whatever its owner puts behind it.
/// It ends by itself when its instance is gone, when liveness fails (on hold until a new instance),
/// when startup has reached its threshold, and for liveness and startup when the pod terminates.
/// </summary>
internal sealed class ProbeWorker : IAsyncDisposable
{
    private readonly ProbeKind _kind;
    private readonly V1Probe _probe;
    private readonly ProbeSubject _subject;
    private readonly string _instanceId;
    private readonly DateTimeOffset _containerStartedAt;
    private readonly ProbeTarget _target;
    private readonly IProber _prober;
    private readonly TimeProvider _time;
    private readonly Func<ProbedInstance> _instance;
    private readonly Action<ProbeResult> _changed;
    private readonly EventRecorder _events;
    private readonly ProbeResultCounter _counter;
    private readonly IProbeObserver? _observer;
    // Synchronous continuations: a timer tick runs the probe on the timer's own thread-pool work
    // item instead of queueing one more (1,000 probes a second each woke a pool thread twice).
    // Other triggers hop to the pool first (Trigger), so they never run a probe on their caller.
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, AllowSynchronousContinuations = true });
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private volatile bool _recheck;
    private bool _hinted;
    private Task _loop = Task.CompletedTask;

    public ProbeWorker(
        ProbeKind kind, V1Probe probe, ProbeSubject subject, string instanceId, DateTimeOffset containerStartedAt,
        ProbeTarget target, IProber prober, TimeProvider time, Func<ProbedInstance> instance, Action<ProbeResult> changed, EventRecorder events,
        IProbeObserver? observer = null)
    {
        _kind = kind;
        _probe = probe;
        _subject = subject;
        _instanceId = instanceId;
        _containerStartedAt = containerStartedAt;
        _target = target;
        _prober = prober;
        _time = time;
        _instance = instance;
        _changed = changed;
        _events = events;
        _observer = observer;
        _counter = new ProbeResultCounter(kind, probe.SuccessThreshold ?? PodSpecDefaults.SuccessThreshold, probe.FailureThreshold ?? PodSpecDefaults.FailureThreshold);
    }

    public string InstanceId => _instanceId;

    public TimeSpan Period => TimeSpan.FromSeconds(_probe.PeriodSeconds ?? PodSpecDefaults.PeriodSeconds);

    /// <summary>Starts ticking: the first tick after <paramref name="firstTickDelay"/>, then every period.</summary>
    public void Start(TimeSpan firstTickDelay)
    {
        _timer = _time.CreateTimer(static s => ((ProbeWorker)s!).Signal(), this, firstTickDelay, Period);
        _loop = RunAsync(_stopping.Token);
    }

    /// <summary>Runs the probe now instead of waiting for the next tick (on the thread pool, never on the caller's thread).</summary>
    public void Trigger() => ThreadPool.UnsafeQueueUserWorkItem(static worker => worker.Signal(), this, preferLocal: false);

    /// <summary>Wakes the loop; when it is waiting, the tick runs here, on the caller's thread, up to its first await.</summary>
    private void Signal() => _signal.Writer.TryWrite(true);

    /// <summary>
    /// Readiness only: the pod refused a connection. The cached result drops to failure at once and
    /// the probe runs now; the pod is ready again when the probe passes (successThreshold times).
    /// </summary>
    public void Recheck()
    {
        _recheck = true;
        Trigger();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _signal.Reader.WaitToReadAsync(cancellationToken))
            {
                _signal.Reader.TryRead(out _);
                if (!await TickAsync(cancellationToken))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _timer?.Dispose();
        }
    }

    /// <summary>One tick; returns false when this worker is done.</summary>
    private async Task<bool> TickAsync(CancellationToken cancellationToken)
    {
        if (_recheck)
        {
            _recheck = false;
            if (_counter.Result != ProbeResult.Failure)
            {
                _counter.Reset(ProbeResult.Failure);
                _changed(ProbeResult.Failure);
            }
        }

        var instance = _instance();
        if (!instance.IsProbedBy(_kind))
        {
            return false;
        }

        if (_kind == ProbeKind.Startup ? instance.Started : !instance.Started)
        {
            // Startup is done once the container has started; liveness and readiness wait for it.
            return _kind != ProbeKind.Startup;
        }

        if (ProbeSchedule.InInitialDelay(_time.GetUtcNow() - _containerStartedAt, _probe.InitialDelaySeconds ?? PodSpecDefaults.InitialDelaySeconds))
        {
            return true;
        }

        var handler = Prober.HandlerName(_probe);
        var activity = _observer?.Started(_subject, _kind, handler);
        var startedAt = _time.GetTimestamp();
        ProbeOutcome outcome;
        try
        {
            outcome = await _prober.ProbeAsync(_probe, _target, cancellationToken);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }

        _observer?.Completed(activity, _subject, _kind, handler, outcome, _time.GetUtcNow(), _time.GetElapsedTime(startedAt));
        if (outcome.IsError)
        {
            // Could not run at all: logged as an event, thrown away, not counted toward a threshold.
            Warn(ProbeEventMessages.Unhealthy, ProbeEventMessages.Errored(_kind, outcome.Output));
            return true;
        }

        if (outcome.Warning is { } warning)
        {
            Warn(ProbeEventMessages.ProbeWarning, ProbeEventMessages.Warning(_kind, warning));
        }

        if (outcome.Result == ProbeResult.Failure)
        {
            Warn(ProbeEventMessages.Unhealthy, ProbeEventMessages.Failed(_kind, outcome.Output));
            if (!_hinted && PodNetworkHint.For(_kind, _probe, _target, outcome) is { } hint)
            {
                _hinted = true; // once per instance: the Unhealthy events go on
                Warn(PodNetworkHint.Reason, hint);
            }
        }

        if (_counter.Observe(outcome.Result))
        {
            _observer?.ResultChanged(_subject, _kind, _counter.Result);
            _changed(_counter.Result);
        }

        return _kind switch
        {
            ProbeKind.Liveness => _counter.Result != ProbeResult.Failure,
            ProbeKind.Startup => _counter.Result == ProbeResult.Unknown,
            _ => true,
        };
    }

    private void Warn(string reason, string message) =>
        _events.Record(_subject.Namespace, _subject.Pod, _subject.Uid, EventType.Warning, reason, message, _subject.FieldPath, _subject.Kind);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _timer?.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }
}
