namespace Gateway.Specs;

/// <summary>
/// A Kubernetes service (<c>"Runtime": "Kubernetes"</c>): the cluster Service whose EndpointSlices
/// the gateway routes to (<c>Namespace</c>, <c>Service</c>, <c>Port</c>) and an optional gateway-side
/// <c>ReadinessProbe</c>.
/// </summary>
internal static class ClusterBackendLoader
{
    public static ClusterBackend? Load(SettingsSection service)
    {
        var errors = service.Errors;
        var ns = service.Scalar("Namespace") is { Length: > 0 } n ? n : "default";
        if (NameRules.Dns1123Label(ns).Count > 0)
        {
            errors.Add(FieldError.Invalid(service.PathOf("Namespace"), ns, "a namespace must be a lowercase RFC 1123 label"));
        }

        var name = service.Scalar("Service");
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required(service.PathOf("Service"), "the name of the cluster Service whose EndpointSlices the gateway routes to"));
        }
        else if (NameRules.Dns1123Label(name).Count > 0)
        {
            errors.Add(FieldError.Invalid(service.PathOf("Service"), name, "a Service name must be a lowercase RFC 1123 label"));
        }

        var port = service.Scalar("Port") is { Length: > 0 } portText ? portText : null;
        if (port is not null)
        {
            ValidatePort(port, service.PathOf("Port"), errors);
        }

        var probe = ServiceProbeLoader.Load(
            service,
            new DeclaredPorts(service.PathOf("Port"), new HashSet<string>(StringComparer.Ordinal) { port ?? "" }),
            "the gateway cannot exec in a cluster's pod; use httpGet, tcpSocket or grpc");
        return string.IsNullOrEmpty(name) ? null : new ClusterBackend(ns, name, port, probe);
    }

    // The EndpointSlice port's number or name.
    private static void ValidatePort(string port, string path, List<FieldError> errors)
    {
        if (port.All(char.IsAsciiDigit) || port.StartsWith('-'))
        {
            if (NumberField.Integer(path, port, 1, 65535, out _) is { } error)
            {
                errors.Add(error);
            }
        }
        else
        {
            errors.AddInvalid(path, port, NameRules.PortName(port));
        }
    }
}
