namespace Gateway.Specs;

/// <summary>The three probes a container may declare.</summary>
public enum ProbeKind
{
    Startup,
    Liveness,
    Readiness,
}
