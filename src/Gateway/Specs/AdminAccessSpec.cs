namespace Gateway.Specs;

/// <summary>The admin listener's access settings, <c>Gateway:Admin:*</c> beside <c>Urls</c>.</summary>
/// <param name="TokenFile"><c>Gateway:Admin:TokenFile</c>: the bearer token's file; null = <c>admin-token</c> in the state folder, generated at first start.</param>
/// <param name="Kubeconfig"><c>Gateway:Admin:Kubeconfig</c>: where the gateway writes a kubeconfig for its admin URL; null = <c>gateway.kubeconfig</c> beside the settings file (the state folder when that is read-only).</param>
/// <param name="Hosts"><c>Gateway:Admin:Hosts</c>: host names accepted in the <c>Host</c> header besides loopback names and IP literals.</param>
public sealed record AdminAccessSpec(string? TokenFile, string? Kubeconfig, IReadOnlyList<string> Hosts)
{
    public static readonly AdminAccessSpec Default = new(null, null, []);
}
