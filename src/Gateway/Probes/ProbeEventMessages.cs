using Gateway.Specs;

namespace Gateway.Probes;

/// <summary>
/// The prober's event reasons and messages in the kubelet's words (v1.32 <c>pkg/kubelet/prober/prober.go</c>),
/// so that what users search for finds them: <c>Unhealthy</c> for a probe that failed or could not run,
/// <c>ProbeWarning</c> for a success with a warning.
/// </summary>
internal static class ProbeEventMessages
{
    public const string Unhealthy = "Unhealthy";

    public const string ProbeWarning = "ProbeWarning";

    /// <summary>
    /// A probe that could not run at all. The kubelet names the result it threw away, which is
    /// always <c>unknown</c> for a probe that errored.
    /// </summary>
    public static string Errored(ProbeKind kind, string error) => $"{kind} probe errored and resulted in unknown state: {error}";

    /// <summary>
    /// A failed run with what the handler saw. Trailing white space (an exec's last newline) is left
    /// out, so that the message prints on one line in <c>kubectl get events</c>.
    /// </summary>
    public static string Failed(ProbeKind kind, string output) => $"{kind} probe failed: {output.TrimEnd()}";

    public static string Warning(ProbeKind kind, string warning) => $"{kind} probe warning: {warning}";
}
