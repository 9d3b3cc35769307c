namespace Gateway.Probes.Handlers;

/// <summary>The kubelet keeps at most 10 KiB of what a probe saw (exec output, HTTP body).</summary>
internal static class ProbeOutput
{
    public const int MaxBytes = 10 * 1024;

    public static string Truncate(string output) =>
        output.Length <= MaxBytes ? output : output[..MaxBytes];
}
