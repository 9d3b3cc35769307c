namespace Gateway.Admin;

/// <summary>The gateway's own readiness, shown by <c>/readyz</c>.</summary>
internal sealed class GatewayStatus
{
    public volatile bool Started;

    /// <summary>Errors that make the gateway not ready (e.g. a configuration that failed to reload).</summary>
    public IReadOnlyList<string> Errors { get; set; } = [];
}
