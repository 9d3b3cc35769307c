using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// A service's <c>ports</c> and <c>expose</c> as its container's ports: each target port is a
/// <c>containerPort</c> (the published ones first, so that the route goes to the first of them);
/// each published TCP port is returned for the service's route (<see cref="SettingsJson.Hosts"/>).
/// The host address of a published port (<c>127.0.0.1:8080:80</c>) is the proxy listener's
/// business (<c>Gateway:Proxy:Urls</c>) and is not kept.
/// </summary>
internal static class ComposePorts
{
    private sealed record Port(int Target, string Protocol, string? Name, List<int> Published);

    /// <returns>The published TCP ports.</returns>
    public static List<int> Read(YamlTree service, JsonObject container)
    {
        var ports = new List<Port>();
        void Add(int target, string protocol, string? name, int? published)
        {
            var port = ports.FirstOrDefault(p => p.Target == target && p.Protocol == protocol);
            if (port is null)
            {
                ports.Add(port = new Port(target, protocol, name, []));
            }

            if (published is { } p && !port.Published.Contains(p))
            {
                port.Published.Add(p);
            }
        }

        foreach (var item in service.Child("ports").Items())
        {
            if (item.IsMapping)
            {
                Long(item, Add);
            }
            else if (item.Scalar() is { } text)
            {
                Short(text, item, Add);
            }
        }

        foreach (var item in service.Child("expose").Items())
        {
            if (item.Scalar() is { } text)
            {
                var (number, protocol) = Split(text);
                if (Number(number, item) is { } target && Protocol(protocol, item.Path, item.Errors) is { } p)
                {
                    Add(target, p, null, null);
                }
            }
        }

        if (ports.Count == 0)
        {
            return [];
        }

        container["ports"] = new JsonArray([.. ports.OrderBy(p => p.Published.Count == 0).Select(p => (JsonNode?)Json(p))]);
        return [.. ports.Where(p => p.Protocol == "TCP").SelectMany(p => p.Published)];
    }

    private static JsonObject Json(Port port)
    {
        var json = new JsonObject();
        if (port.Name is not null)
        {
            json["name"] = port.Name;
        }

        json["containerPort"] = port.Target;
        if (port.Protocol != "TCP")
        {
            json["protocol"] = port.Protocol;
        }

        return json;
    }

    // [[host_ip:]published:]target[/protocol]; host_ip may be [ipv6].
    private static void Short(string text, YamlTree item, Action<int, string, string?, int?> add)
    {
        var (spec, protocolText) = Split(text);
        if (Protocol(protocolText, item.Path, item.Errors) is not { } protocol)
        {
            return;
        }

        var colon = spec.LastIndexOf(':');
        var targetText = colon < 0 ? spec : spec[(colon + 1)..];
        var rest = colon < 0 ? null : spec[..colon];
        string? publishedText = null;
        if (rest is not null)
        {
            var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) : -1;
            var second = rest.LastIndexOf(':');
            publishedText = second > hostEnd ? rest[(second + 1)..] : (hostEnd >= 0 ? "" : rest);
        }

        if (Number(targetText, item) is not { } target)
        {
            return;
        }

        int? published = null;
        if (publishedText is { Length: > 0 })
        {
            if (Number(publishedText, item) is not { } p)
            {
                return;
            }

            published = p;
        }

        add(target, protocol, null, published);
    }

    private static void Long(YamlTree item, Action<int, string, string?, int?> add)
    {
        foreach (var (key, value) in item.Entries().Where(e => e.Key is not ("target" or "published" or "host_ip" or "protocol" or "mode" or "name" or "app_protocol")))
        {
            item.Errors.Add(ComposeTranslator.Unknown(value.Path, ["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"]));
        }

        var targetField = item.Child("target");
        if (targetField.Scalar() is not { } targetText)
        {
            item.Errors.Add(FieldError.Required(targetField.Path, "the container's port"));
            return;
        }

        if (Number(targetText, targetField) is not { } target || Protocol(item.Child("protocol").Scalar(), item.Child("protocol").Path, item.Errors) is not { } protocol)
        {
            return;
        }

        var name = item.Child("name").Scalar();
        if (name is not null && NameRules.PortName(name) is { Count: > 0 } problems)
        {
            item.Errors.AddInvalid(item.Child("name").Path, name, problems);
            return;
        }

        if (item.Child("app_protocol").Scalar() is { } appProtocol && appProtocol is not ("http" or "HTTP"))
        {
            item.Errors.Add(ComposeTranslator.NotSupported(item.Child("app_protocol").Path,
                "the route's protocol is the service's Protocol setting: after `gateway convert`, set \"Protocol\": \"grpc\" or \"h2c\" on the service"));
            return;
        }

        int? published = null;
        if (item.Child("published").Scalar() is { Length: > 0 } publishedText)
        {
            if (Number(publishedText, item.Child("published")) is not { } p)
            {
                return;
            }

            published = p;
        }

        add(target, protocol, name, published);
    }

    private static (string Spec, string? Protocol) Split(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (text, null) : (text[..slash], text[(slash + 1)..]);
    }

    private static string? Protocol(string? text, string path, List<FieldError> errors)
    {
        switch (text)
        {
            case null or "tcp" or "TCP":
                return "TCP";
            case "udp" or "UDP":
                return "UDP";
            default:
                errors.Add(FieldError.NotSupported(path, text, ["tcp", "udp"]));
                return null;
        }
    }

    private static int? Number(string text, YamlTree item)
    {
        if (text.Contains('-', StringComparison.Ordinal))
        {
            item.Errors.Add(ComposeTranslator.NotSupported(item.Path, $"a range of ports ({text}) is not translated: list the ports one by one"));
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            item.Errors.Add(FieldError.Invalid(item.Path, text, "must be a port number between 1 and 65535"));
            return null;
        }

        return port;
    }
}
