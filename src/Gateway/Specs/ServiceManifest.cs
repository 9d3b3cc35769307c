using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// A Service beside a manifest's Deployment or Pod. The gateway's route is that Service: its
/// selector must select the manifest's pods and its port's <c>targetPort</c> must be the port the
/// route sends to, the first port the pod declares (of its first container that declares one).
/// </summary>
internal static class ServiceManifest
{
    public static void Validate(V1Service service, string path, V1PodTemplateSpec template, List<FieldError> errors)
    {
        ManifestMetadata.Validate(service.Metadata, path, "Service", errors);
        var specPath = $"{path}.spec";
        if (service.Spec is not { } spec)
        {
            return;
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
            return;
        }

        for (var i = 1; i < ports.Count; i++)
        {
            errors.Add(FieldError.Forbidden(FieldPath.Index(portsPath, i), "the gateway's route sends requests to one port, ports[0]; remove the others"));
        }

        var port = ports[0];
        var portPath = FieldPath.Index(portsPath, 0);
        SupportedFields.Report(port, portPath, errors);
        errors.AddIfNotSupported($"{portPath}.protocol", port.Protocol, ["TCP"]);
        var target = port.TargetPort?.Value is { Length: > 0 } named ? named : port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (RoutedPort(template.Spec) is not { } routed)
        {
            errors.Add(FieldError.Invalid($"{portPath}.targetPort", target, "the pod declares no container port; declare the port the Service targets in the container's ports"));
            return;
        }

        var (container, containerPort) = routed;
        var matches = int.TryParse(target, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? containerPort.ContainerPort == number
            : containerPort.Name == target;
        if (!matches)
        {
            var routedName = string.IsNullOrEmpty(containerPort.Name) ? $"{containerPort.ContainerPort}" : $"{GoSyntax.Quote(containerPort.Name)} ({containerPort.ContainerPort})";
            errors.Add(FieldError.Invalid($"{portPath}.targetPort", target,
                $"the gateway's route sends to the first port the pod declares, {routedName} of container {GoSyntax.Quote(container)}; target that port, or declare the targeted one first"));
        }
    }

    private static (string Container, V1ContainerPort Port)? RoutedPort(V1PodSpec? spec) =>
        (spec?.Containers ?? []).Where(c => c?.Ports is { Count: > 0 }).Select(c => ((string Container, V1ContainerPort Port)?)(c.Name, c.Ports[0])).FirstOrDefault();
}
