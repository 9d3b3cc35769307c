namespace Gateway.Hosting;

/// <summary>
/// How this gateway is ending. After a hand-over, the next gateway serves the same pods: this one
/// stops its listeners and lets its requests finish, but must stop no pod and send systemd no
/// <c>STOPPING=1</c> (the service goes on, under its new main process). The runtimes' keep-pods
/// decision reads <see cref="KeepPods"/>.
/// </summary>
internal sealed class GatewayShutdown
{
    private volatile bool _handedOver;

    /// <summary>The next gateway took over: this one exits without stopping any pod.</summary>
    public bool HandedOver => _handedOver;

    /// <summary>Whether the pods outlive this gateway.</summary>
    public bool KeepPods => _handedOver;

    public void MarkHandedOver() => _handedOver = true;
}
