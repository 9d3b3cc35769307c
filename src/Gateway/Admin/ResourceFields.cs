using k8s.Models;

namespace Gateway.Admin;

/// <summary>The fields the API server lets a field selector name, per resource, and their values on an object.</summary>
internal static class ResourceFields
{
    public static IReadOnlySet<string> Pod { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    };

    public static IReadOnlySet<string> Event { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    };

    public static string? Of(V1Pod pod, string field) => field switch
    {
        "metadata.name" => pod.Metadata?.Name,
        "metadata.namespace" => pod.Metadata?.NamespaceProperty,
        "spec.nodeName" => pod.Spec?.NodeName,
        "spec.restartPolicy" => pod.Spec?.RestartPolicy ?? Specs.PodSpecDefaults.RestartPolicy,
        "spec.schedulerName" => pod.Spec?.SchedulerName ?? "default-scheduler",
        "spec.serviceAccountName" => pod.Spec?.ServiceAccountName,
        "spec.hostNetwork" => pod.Spec?.HostNetwork == true ? "true" : "false",
        "status.phase" => pod.Status?.Phase,
        "status.podIP" => pod.Status?.PodIP,
        "status.nominatedNodeName" => pod.Status?.NominatedNodeName,
        _ => null,
    };

    public static string? Of(Corev1Event e, string field) => field switch
    {
        "metadata.name" => e.Metadata?.Name,
        "metadata.namespace" => e.Metadata?.NamespaceProperty,
        "involvedObject.kind" => e.InvolvedObject?.Kind,
        "involvedObject.namespace" => e.InvolvedObject?.NamespaceProperty,
        "involvedObject.name" => e.InvolvedObject?.Name,
        "involvedObject.uid" => e.InvolvedObject?.Uid,
        "involvedObject.apiVersion" => e.InvolvedObject?.ApiVersion,
        "involvedObject.resourceVersion" => e.InvolvedObject?.ResourceVersion,
        "involvedObject.fieldPath" => e.InvolvedObject?.FieldPath,
        "reason" => e.Reason,
        "reportingComponent" => e.ReportingComponent,
        "source" => e.Source?.Component,
        "type" => e.Type,
        _ => null,
    };
}
