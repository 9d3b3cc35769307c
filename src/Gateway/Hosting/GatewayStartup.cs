using Gateway.Admin;
using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>What the gateway starts from, read and checked before anything is built.</summary>
/// <param name="Spec">The validated settings.</param>
/// <param name="Settings">Reads them again on reload.</param>
/// <param name="Applied">The configuration the host sees; the reloader replaces it whole.</param>
/// <param name="AdminAccess">Who may reach the admin API, and how.</param>
/// <param name="Listeners">The listening sockets, bound by the gateway (or passed to it by a hand-over).</param>
/// <param name="Handover">The previous gateway, when a hand-over started this one.</param>
internal sealed record GatewayStartup(
    GatewaySpec Spec, SettingsReader Settings, AppliedConfiguration Applied, IConfiguration Configuration, AdminAccess AdminAccess,
    ListenerSet Listeners, HandoverClient? Handover = null);
