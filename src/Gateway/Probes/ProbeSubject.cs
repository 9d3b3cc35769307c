namespace Gateway.Probes;

/// <summary>Whom a probe worker probes, as its events and telemetry name it.</summary>
public sealed record ProbeSubject(string Namespace, string Pod, string Uid, string Service, string Container);
