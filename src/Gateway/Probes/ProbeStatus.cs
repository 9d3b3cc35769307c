namespace Gateway.Probes;

/// <summary>The last run of one probe of a container: what the status page shows.</summary>
/// <param name="Handler">exec, httpGet, tcpSocket or grpc.</param>
/// <param name="Result">The run's own result (not the thresholded one the pod sees).</param>
/// <param name="IsError">The probe could not run at all.</param>
/// <param name="Output">What the handler saw, trimmed.</param>
/// <param name="At">When the run ended.</param>
/// <param name="Duration">How long the run took.</param>
public sealed record ProbeStatus(string Handler, ProbeResult Result, bool IsError, string Output, DateTimeOffset At, TimeSpan Duration);
