using Gateway.Specs;
namespace Gateway.Probes;

/// <summary>
/// The kubelet worker's <c>lastResult</c>/<c>resultRun</c>: the cached result changes only after
/// <c>failureThreshold</c> consecutive failures or <c>successThreshold</c> consecutive successes.
/// Not thread-safe: one per probe worker.
/// </summary>
public sealed class ProbeResultCounter(ProbeKind kind, int successThreshold, int failureThreshold)
{
    private ProbeResult _lastResult = ProbeResult.Unknown;
    private int _resultRun;

    /// <summary>The cached result; starts at the kind's initial value.</summary>
    public ProbeResult Result { get; private set; } = InitialValue(kind);

    /// <summary>readiness = failure, liveness = success, startup = unknown (docs/semantics.md#probe-starting-values).</summary>
    public static ProbeResult InitialValue(ProbeKind kind) => kind switch
    {
        ProbeKind.Readiness => ProbeResult.Failure,
        ProbeKind.Liveness => ProbeResult.Success,
        _ => ProbeResult.Unknown,
    };

    /// <summary>Counts one probe run; returns true when the cached result changed.</summary>
    public bool Observe(ProbeResult result)
    {
        if (result == _lastResult)
        {
            _resultRun++;
        }
        else
        {
            _lastResult = result;
            _resultRun = 1;
        }

        if ((result == ProbeResult.Failure && _resultRun < failureThreshold)
            || (result == ProbeResult.Success && _resultRun < successThreshold)
            || result == Result)
        {
            return false;
        }

        Result = result;
        return true;
    }

    /// <summary>Forgets the current run and sets the cached result, e.g. to re-check a pod that refused a connection.</summary>
    public void Reset(ProbeResult result)
    {
        Result = result;
        _lastResult = ProbeResult.Unknown;
        _resultRun = 0;
    }
}
