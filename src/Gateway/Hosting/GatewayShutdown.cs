using Gateway.Runtimes;

namespace Gateway.Hosting;

/// <summary>
/// How this gateway is ending. After a hand-over, the next gateway serves the same pods: this one
/// stops its listeners and lets its requests finish, but must stop no pod (it sets the runtimes'
/// <see cref="PodShutdownPolicy.KeepPods"/>, and the next gateway adopts them) and send systemd no
/// <c>STOPPING=1</c> (the service goes on, under its new main process).
/// </summary>
internal sealed class GatewayShutdown(PodShutdownPolicy pods)
{
    private volatile bool _handedOver;

    /// <summary>The next gateway took over: this one exits without stopping any pod.</summary>
    public bool HandedOver => _handedOver;

    public void MarkHandedOver()
    {
        pods.KeepPods = true;
        _handedOver = true;
    }
}
