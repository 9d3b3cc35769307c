using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>
/// When a starting gateway counts as ready, for systemd's <c>READY=1</c> and for a hand-over (the
/// previous gateway stops accepting only then): every service has a ready endpoint, or it runs no
/// replica, or the bounded wait passed (a service that cannot become ready must not hold the
/// gateway's start, nor keep the previous gateway running forever). A service whose pods can have
/// no endpoint (no container declares a port, as the seed's pod; a Job) is not waited for.
/// </summary>
internal static class ReadinessRule
{
    /// <summary>The longest a start waits for the services' first ready endpoints.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    /// <summary>The services still waiting for a ready endpoint.</summary>
    public static IReadOnlyList<string> Waiting(GatewaySpec spec, Func<string, bool> hasReadyEndpoint)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(hasReadyEndpoint);
        return [.. spec.Services.Where(s => !NeverHasEndpoints(s) && !hasReadyEndpoint(s.Name)).Select(s => s.Name)];
    }

    /// <summary>Pods that run no replica, run to completion, or declare no port to route to.</summary>
    private static bool NeverHasEndpoints(ServiceSpec service) =>
        service.Pods is { } pods && (pods.Replicas == 0 || pods.Job is not null || pods.PodSpec.Containers.All(c => c.Ports is not { Count: > 0 }));

    /// <summary>Whether to say ready now, and the status line that says on what.</summary>
    /// <returns>null: keep waiting.</returns>
    public static string? Decide(IReadOnlyList<string> waiting, int services, TimeSpan elapsed, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        if (waiting.Count == 0)
        {
            return $"ready: {services} service(s), each with a ready endpoint";
        }

        return elapsed >= wait
            ? $"ready after waiting {wait.TotalSeconds:0.#}s: {waiting.Count} of {services} service(s) without a ready endpoint yet: {string.Join(", ", waiting)}"
            : null;
    }
}
