using System.Globalization;
using Gateway.Specs;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// An HTTPRoute rule's work that is not a transform, first in YARP's pipeline: a redirect answered
/// by the gateway; copies to mirror services; and the backend chosen by weight, the request then
/// reassigned to that service's cluster (YARP routes one route to one cluster), before the checks of
/// ready endpoints, timeouts and load balancing that follow read the cluster. The weights are
/// compiled with the route; a draw is one random number and a scan of a few integers.
/// </summary>
internal sealed class HttpRouteMiddleware(IProxyStateLookup lookup, RequestMirror mirror)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var feature = context.GetReverseProxyFeature();
        if (CompiledRoute.Of(feature.Route.Config) is not { NeedsMiddleware: true } compiled)
        {
            await next().ConfigureAwait(false);
            return;
        }

        if (compiled.Redirect is { } redirect)
        {
            context.Response.StatusCode = redirect.StatusCode;
            context.Response.Headers.Location = Location(context.Request, redirect, compiled.MatchedPrefix);
            return;
        }

        foreach (var service in compiled.Mirrors)
        {
            if (lookup.TryGetCluster(service, out var mirrorCluster))
            {
                await mirror.SendAsync(context, mirrorCluster).ConfigureAwait(false);
            }
        }

        if (compiled.TotalWeight == 0)
        {
            // The Gateway API: a rule whose backends all weigh 0 answers 500.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsync($"route {feature.Route.Config.RouteId}: every backendRef has weight 0\n").ConfigureAwait(false);
            return;
        }

        if (compiled.Backends.Length > 1)
        {
            var chosen = compiled.Backends[compiled.BackendFor(Random.Shared.Next(compiled.TotalWeight))];
            if (!string.Equals(chosen, feature.Cluster.Config.ClusterId, StringComparison.Ordinal) && lookup.TryGetCluster(chosen, out ClusterState? cluster))
            {
                context.ReassignProxyRequest(cluster);
            }
        }

        await next().ConfigureAwait(false);
    }

    /// <summary>
    /// Where <c>RequestRedirect</c> sends: the request's URL with the scheme, host, port and path the
    /// filter gives. A changed scheme without a port drops the port (the scheme's default), as the Gateway API says.
    /// </summary>
    public static string Location(HttpRequest request, RequestRedirect redirect, string? matchedPrefix)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(redirect);
        var scheme = redirect.Scheme ?? request.Scheme;
        var host = redirect.Hostname ?? request.Host.Host;
        int? port = redirect.Port ?? (redirect.Scheme is null || redirect.Scheme == request.Scheme ? request.Host.Port : null);
        if ((scheme == "http" && port == 80) || (scheme == "https" && port == 443))
        {
            port = null;
        }

        var path = request.Path.Value ?? "/";
        if (redirect.Path is { } change)
        {
            path = change.FullPath ? change.Value : CompiledRoute.ReplacePrefix(path, matchedPrefix ?? "/", change.Value);
        }

        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return string.Create(CultureInfo.InvariantCulture, $"{scheme}://{authority}{(port is { } p ? $":{p}" : "")}{path}{request.QueryString}");
    }
}
