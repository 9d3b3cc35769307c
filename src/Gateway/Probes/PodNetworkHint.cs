using System.Globalization;
using Gateway.Runtimes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Probes;

/// <summary>
/// Host mode's one warning (pure): a network probe of a declared containerPort went to the host port
/// the gateway gave it, and the connection was refused there. The app most likely listens where its
/// image says (the containerPort) and not on <c>$PORT</c>; the event says so and what to set.
/// </summary>
internal static class PodNetworkHint
{
    public const string Reason = "HostPortNotListening";

    /// <summary>The event's message, or null when the failure is not that one.</summary>
    public static string? For(ProbeKind kind, V1Probe probe, ProbeTarget target, ProbeOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(target);
        var port = probe.HttpGet?.Port?.Value ?? probe.TcpSocket?.Port?.Value ?? probe.Grpc?.Port.ToString(CultureInfo.InvariantCulture);
        var host = probe.HttpGet?.Host ?? probe.TcpSocket?.Host;
        if (port is null || !string.IsNullOrEmpty(host) || PodNetworks.IsPodIp(target.PodIp) || outcome.Result != ProbeResult.Failure
            || !outcome.Output.Contains("connection refused", StringComparison.Ordinal))
        {
            return null;
        }

        var mapping = target.Ports.FirstOrDefault(m => m.HostPort != m.ContainerPort
            && (string.Equals(m.Name, port, StringComparison.Ordinal) || m.ContainerPort.ToString(CultureInfo.InvariantCulture) == port));
        return mapping is null ? null
            : $"{kind} probe of containerPort {mapping.ContainerPort} went to host port {mapping.HostPort}, where nothing listens: pods share the host's network here " +
              $"(Gateway:PodNetwork is Host, or this host allows no network namespace per pod), so the app must listen on $PORT ({mapping.HostPort}), not on {mapping.ContainerPort}. " +
              "Make it listen on $PORT (e.g. an argument \"$(PORT)\"), or give each pod a network of its own: run the gateway as root or with CAP_SYS_ADMIN with Gateway:PodNetwork \"Auto\" or \"Pod\"";
    }
}
