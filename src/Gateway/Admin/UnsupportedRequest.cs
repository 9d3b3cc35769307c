namespace Gateway.Admin;

/// <summary>
/// The answer to a request no endpoint serves, in the API server's words: a verb the gateway does not
/// serve on a resource it does (<c>kubectl create</c>, <c>apply</c>, <c>edit</c>, <c>delete event</c>)
/// is 405 <c>MethodNotAllowed</c> with what to do instead, so kubectl does not report the resource as
/// missing; a path naming nothing the gateway serves is 404.
/// </summary>
internal static class UnsupportedRequest
{
    private const string NotServed = "the server does not allow this method on the requested resource";

    /// <summary>The resources the discovery documents list, by API path prefix (<c>/api/v1</c>, <c>/apis/group/version</c>).</summary>
    private static readonly Dictionary<string, HashSet<string>> Served = new(StringComparer.Ordinal)
    {
        ["/api/v1"] = [.. ApiDiscovery.CoreV1().Resources.Select(r => r.Name)],
        [$"/apis/{ApiDiscovery.DiscoveryGroup}/v1"] = [.. ApiDiscovery.DiscoveryV1().Resources.Select(r => r.Name)],
        [$"/apis/{ApiDiscovery.AppsGroup}/v1"] = [.. ApiDiscovery.AppsV1().Resources.Select(r => r.Name)],
    };

    public static IResult Answer(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        var (resource, name) = Resource(path);
        if (resource is null)
        {
            return KubernetesStatus.Result(404, "NotFound", "the server could not find the requested resource");
        }

        // A GET that reached here names a subresource or a path below the object that does not exist.
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return KubernetesStatus.Result(404, "NotFound", "the server could not find the requested resource");
        }

        return KubernetesStatus.Result(405, "MethodNotAllowed", Message(request.Method, resource, name));
    }

    /// <summary>What to do instead, for the writes users try most.</summary>
    public static string Message(string method, string resource, string? name) => (resource, name) switch
    {
        ("pods", null) when HttpMethods.IsPost(method) =>
            $"{NotServed}: the gateway makes its pods from the services of its settings file (Gateway:Services); add a service there (a Template, or a Manifest naming this YAML file)",
        ("pods", { } pod) when HttpMethods.IsPatch(method) || HttpMethods.IsPut(method) =>
            $"{NotServed}: pod \"{pod}\" is made from its service's template in the settings file; change the template there (the pods are replaced), or set a readiness gate's condition through pods/status",
        ("pods/status", { } pod) =>
            $"{NotServed}: only PATCH of pod \"{pod}\"'s status.conditions (those its readinessGates name) is served",
        ("deployments", null) when HttpMethods.IsPost(method) =>
            $"{NotServed}: the gateway's Deployments are its replicated services; add one to the settings file (Gateway:Services)",
        ("deployments" or "replicasets", _) =>
            $"{NotServed}: {resource} change through scale, rollout restart/undo/pause/resume (PATCH), or in the settings file",
        ("events", _) =>
            $"{NotServed}: events are recorded by the gateway and can only be read (get, list, watch)",
        _ => $"{NotServed}: {resource} can only be read (get, list, watch)",
    };

    /// <summary>The resource (with its subresource) and object name a path names, when it is one the gateway serves.</summary>
    private static (string? Resource, string? Name) Resource(string path)
    {
        foreach (var (prefix, resources) in Served)
        {
            if (!path.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                continue;
            }

            var segments = path[(prefix.Length + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length >= 2 && segments[0] == "namespaces")
            {
                segments = segments[2..];
            }

            if (segments.Length is 0 or > 3)
            {
                return (null, null);
            }

            var resource = segments.Length == 3 ? $"{segments[0]}/{segments[2]}" : segments[0];
            return resources.Contains(resource) ? (resource, segments.Length > 1 ? segments[1] : null) : (null, null);
        }

        return (null, null);
    }
}
