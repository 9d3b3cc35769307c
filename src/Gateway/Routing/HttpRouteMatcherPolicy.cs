using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// The part of an HTTPRoute match ASP.NET Core's routing cannot say, checked on the candidates it
/// found: the path with case and by elements (routing compares literals without case and takes a
/// trailing '/'), and regular expressions on the path, headers and query. A candidate that fails is
/// invalid, so routing moves on to the next by <c>Order</c>, as the Gateway API's precedence does.
/// </summary>
internal sealed class HttpRouteMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After the host, method and header policies: they narrow the candidates more cheaply.
    public override int Order => int.MaxValue - 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Microsoft.AspNetCore.Http.Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var endpoint in endpoints)
        {
            if (Compiled(endpoint) is not null)
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(candidates);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && Compiled(candidates[i].Endpoint) is { } compiled && !compiled.Matches(httpContext.Request))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    private static CompiledRoute? Compiled(Microsoft.AspNetCore.Http.Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<RouteModel>() is { } route ? CompiledRoute.Of(route.Config) : null;
}
