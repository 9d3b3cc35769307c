using k8s.Models;

namespace Gateway.Probes;

/// <summary>Runs one probe of a container instance once, as the kubelet's prober does.</summary>
public interface IProber
{
    /// <summary>
    /// Runs <paramref name="probe"/>'s handler against <paramref name="target"/>. A run that could not
    /// happen at all is retried in place; an outcome that is still <see cref="ProbeOutcome.IsError"/>
    /// must be discarded by the caller, not counted toward a threshold.
    /// </summary>
    Task<ProbeOutcome> ProbeAsync(V1Probe probe, ProbeTarget target, CancellationToken cancellationToken);
}
