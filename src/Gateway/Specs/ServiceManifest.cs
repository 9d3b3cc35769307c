using System.Globalization;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// A Service beside a manifest's Deployment or Pod. The gateway's route is that Service: its
/// selector must select the manifest's pods, and its port's <c>targetPort</c> (a number or a port
/// name; its <c>port</c> when unset, as the API server defaults it) picks the container port the route
/// sends to, as the endpoints controller's <c>FindPort</c> looks it up in the pod's containers.
/// </summary>
internal static class ServiceManifest
{
    /// <summary>Checks the Service; returns the container port its <c>targetPort</c> names, or null (none given, or an error).</summary>
    public static RouteTarget? Validate(V1Service service, string path, V1PodTemplateSpec template, List<FieldError> errors)
    {
        ManifestMetadata.Validate(service.Metadata, path, "Service", errors);
        var specPath = $"{path}.spec";
        if (service.Spec is not { } spec)
        {
            return null;
        }

        SupportedFields.Report(spec, specPath, errors);
        var labels = template.Metadata?.Labels ?? new Dictionary<string, string>();
        if (spec.Selector is { Count: > 0 } selector && selector.Any(l => !labels.TryGetValue(l.Key, out var value) || value != l.Value))
        {
            errors.Add(new FieldError($"{specPath}.selector", FieldError.InvalidType, GoSyntax.Map(selector),
                $"selects none of the manifest's pods (labels {GoSyntax.Map(labels)}); make it match the pod template's labels"));
        }

        var portsPath = $"{specPath}.ports";
        if (spec.Ports is not { Count: > 0 } ports)
        {
            return null;
        }

        for (var i = 1; i < ports.Count; i++)
        {
            errors.Add(FieldError.Forbidden(FieldPath.Index(portsPath, i), "the gateway's route sends requests to one port, ports[0]; remove the others"));
        }

        var port = ports[0];
        var portPath = FieldPath.Index(portsPath, 0);
        SupportedFields.Report(port, portPath, errors);
        errors.AddIfNotSupported($"{portPath}.protocol", port.Protocol, ["TCP"]);
        var target = port.TargetPort?.Value is { Length: > 0 } named ? named : port.Port.ToString(CultureInfo.InvariantCulture);
        var declared = (template.Spec?.Containers ?? []).Where(c => c is not null)
            .SelectMany(c => (c.Ports ?? []).Where(p => p is not null).Select(p => (Container: c.Name, Port: p)))
            .ToList();
        if (declared.Count == 0)
        {
            errors.Add(FieldError.Invalid($"{portPath}.targetPort", target, "the pod declares no container port; declare the port the Service targets in the container's ports"));
            return null;
        }

        var byNumber = int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var number);
        var found = declared.FirstOrDefault(d => byNumber ? d.Port.ContainerPort == number : d.Port.Name == target);
        if (found.Port is null)
        {
            var known = string.Join(", ", declared.Select(d => string.IsNullOrEmpty(d.Port.Name)
                ? $"{d.Port.ContainerPort}"
                : $"{GoSyntax.Quote(d.Port.Name)} ({d.Port.ContainerPort})"));
            errors.Add(FieldError.Invalid($"{portPath}.targetPort", target, byNumber
                ? $"no container of the pod declares containerPort {number} (the gateway routes only to declared ports: {known}); target one of them, or declare it in the container's ports"
                : $"no container port is named {GoSyntax.Quote(target)} (declared: {known}); target one of them by name or number, or name the port in the container's ports"));
            return null;
        }

        return new RouteTarget(found.Container, found.Port.ContainerPort, found.Port.Name, port.AppProtocol);
    }
}
