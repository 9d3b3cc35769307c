namespace Gateway.Probes;

/// <summary>The cached result of a probe, as the kubelet's results manager keeps it.</summary>
public enum ProbeResult
{
    Unknown,
    Success,
    Failure,
}
