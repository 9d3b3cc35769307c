using System.Diagnostics;
using Gateway.Specs;

namespace Gateway.Probes;

/// <summary>
/// What a <see cref="ProbeWorker"/> reports besides its result, to whoever records it (telemetry: a
/// span and a duration per run, the last run for the status page, a log line per change).
/// </summary>
internal interface IProbeObserver
{
    /// <summary>A run begins; its span (null when nobody listens) is handed back to <see cref="Completed"/>.</summary>
    Activity? Started(ProbeSubject subject, ProbeKind kind, string handler);

    /// <summary>A run ended with <paramref name="outcome"/>.</summary>
    void Completed(Activity? run, ProbeSubject subject, ProbeKind kind, string handler, ProbeOutcome outcome, DateTimeOffset at, TimeSpan duration);

    /// <summary>The thresholded result changed: the state change the pod sees.</summary>
    void ResultChanged(ProbeSubject subject, ProbeKind kind, ProbeResult result);

    /// <summary>An endpoint's worker is gone with its endpoint: what was kept of it may go. (A pod's goes with the pod.)</summary>
    void Removed(ProbeSubject subject);
}
