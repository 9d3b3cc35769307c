namespace Gateway.Specs;

/// <summary>
/// A Static service (<c>"Runtime": "Static"</c>): fixed <c>Addresses</c>, each an absolute
/// <c>http://host:port</c> URL, and an optional <c>ReadinessProbe</c> run against each.
/// </summary>
internal static class StaticBackendLoader
{
    private const string Example = "http://127.0.0.1:5001";

    // A probe's port is a number, or StaticBackend.PortName for the port of the address it probes.
    private static readonly string OtherPortName =
        $"the only port name of a Static service's Addresses is {GoSyntax.Quote(StaticBackend.PortName)}, each address's own port; use it or a port number";

    public static StaticBackend? Load(SettingsSection service)
    {
        var errors = service.Errors;
        var before = errors.Count;
        var path = service.PathOf("Addresses");
        var items = service.Strings("Addresses");
        if (errors.Count != before)
        {
            return null;
        }

        if (items.Count == 0)
        {
            errors.Add(FieldError.Required(path, $"list the backends' URLs, such as [\"{Example}\", \"http://127.0.0.1:5002\"]"));
            return null;
        }

        if (items.Count > StaticBackend.MaxAddresses)
        {
            errors.Add(FieldError.Invalid(path, items.Count, $"must have at most {StaticBackend.MaxAddresses} addresses"));
            return null;
        }

        var addresses = new List<Uri>(items.Count);
        var firstPath = new Dictionary<Uri, string>();
        foreach (var (itemPath, text) in items)
        {
            if (Problem(text, out var uri) is { } problem)
            {
                errors.Add(FieldError.Invalid(itemPath, text, problem));
            }
            else if (!firstPath.TryAdd(uri!, itemPath))
            {
                errors.Add(FieldError.Duplicate(itemPath, text, $"the same address as {firstPath[uri!]}; list each address once"));
            }
            else
            {
                addresses.Add(uri!);
            }
        }

        var probe = ServiceProbeLoader.Load(
            service,
            new DeclaredPorts(path, new HashSet<string>(StringComparer.Ordinal) { StaticBackend.PortName }) { UndeclaredDetail = OtherPortName },
            "the gateway cannot exec in a Static backend; use httpGet, tcpSocket or grpc");
        return errors.Count != before ? null : new StaticBackend(addresses, probe);
    }

    /// <summary>Why a Static address is refused, or null when it is an absolute <c>http://host:port</c> URL.</summary>
    private static string? Problem(string text, out Uri? uri)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri) || uri.IsFile || uri.IsUnc)
        {
            return $"must be an absolute URL such as {Example}";
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            return uri.Scheme == Uri.UriSchemeHttps
                ? "https backends are not supported yet: use http://"
                : $"scheme {GoSyntax.Quote(uri.Scheme)} is not supported: use http://";
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath != "/")
        {
            return $"must be only a scheme, host and port (no user, path, query or fragment), such as {Example}";
        }

        if (uri.Host.Length == 0)
        {
            return $"must name a host, such as {Example}";
        }

        return uri.Port == 0 ? $"port 0 is no backend's port; give the port it listens on, such as {Example}" : null;
    }
}
