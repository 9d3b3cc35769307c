using Gateway.Events;
using Gateway.Pods;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>Shows the gateway's pods and events as Kubernetes' own models, so Kubernetes tools read them.</summary>
internal static class PodMapper
{
    public const string NodeName = "gateway";

    public static V1Pod ToV1Pod(PodState pod)
    {
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(pod.Spec));
        if (!pod.Scheduled)
        {
            return Unscheduled(pod, spec);
        }

        spec.NodeName = NodeName;
        foreach (var container in spec.Containers.Concat(spec.InitContainers ?? []))
        {
            // hostPort only where pods share the host's network: a pod of its own network has none.
            if (!Runtimes.PodNetworks.IsPodIp(pod.PodIp) && pod.Ports.TryGetValue(container.Name, out var mappings))
            {
                foreach (var port in container.Ports ?? [])
                {
                    port.HostPort = mappings.FirstOrDefault(m => m.ContainerPort == port.ContainerPort && m.Name == port.Name)?.HostPort;
                    port.HostIP = pod.PodIp;
                }
            }
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = Metadata(pod),
            Spec = spec,
            Status = new V1PodStatus
            {
                Phase = pod.Phase.ToString(),
                Reason = pod.Reason,
                Message = pod.Message,
                Conditions = Conditions(pod),
                HostIP = Runtimes.PodNetworks.IsPodIp(pod.PodIp) ? "127.0.0.1" : pod.PodIp,
                PodIP = pod.PodIp,
                PodIPs = [new V1PodIP { Ip = pod.PodIp }],
                StartTime = pod.StartTime?.UtcDateTime,
                InitContainerStatuses = pod.InitContainers.Length > 0 ? [.. pod.InitContainers.Select(c => ToStatus(pod, c))] : null,
                ContainerStatuses = [.. pod.Containers.Select(c => ToStatus(pod, c))],
            },
        };
    }

    /// <summary>
    /// A pod the scheduler could not place, as the API server shows one: no node, no IP, no container
    /// statuses (no kubelet has seen it), only <c>PodScheduled=False</c> with the scheduler's reason.
    /// </summary>
    private static V1Pod Unscheduled(PodState pod, V1PodSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = Metadata(pod),
        Spec = spec,
        Status = new V1PodStatus
        {
            Phase = nameof(PodPhase.Pending),
            Conditions =
            [
                new V1PodCondition
                {
                    Type = "PodScheduled",
                    Status = "False",
                    Reason = pod.Unschedulable?.Reason ?? "Unschedulable",
                    Message = pod.Unschedulable?.Message ?? Controllers.PodScheduling.TooManyPods,
                    LastTransitionTime = pod.CreatedAt.UtcDateTime,
                },
            ],
        },
    };

    private static V1ObjectMeta Metadata(PodState pod) => new()
    {
        Name = pod.Name,
        NamespaceProperty = pod.Namespace,
        Uid = pod.Uid,
        Labels = new Dictionary<string, string>(pod.Labels) { ["pod-template-hash"] = pod.TemplateHash },
        CreationTimestamp = pod.CreatedAt.UtcDateTime,
        DeletionTimestamp = pod.DeletionTimestamp?.UtcDateTime,
        OwnerReferences = pod.Labels.ContainsKey(Specs.JobSpec.JobNameLabel) ? [JobMapper.Owner(pod.ServiceName)]
            : pod.Name.StartsWith($"{pod.ServiceName}-{pod.TemplateHash}-", StringComparison.Ordinal) ? [ReplicaSetMapper.Owner(pod.ServiceName, pod.TemplateHash)] : null,
    };

    private static List<V1PodCondition> Conditions(PodState pod) =>
    [
        .. PodConditions.Of(pod).Select(c => new V1PodCondition
        {
            Type = c.Type,
            Status = c.Status ? "True" : "False",
            Reason = c.Reason,
            Message = c.Message,
            LastTransitionTime = (pod.ConditionTransitions.TryGetValue(c.Type, out var t) ? t.At : pod.CreatedAt).UtcDateTime,
        }),
    ];

    private static V1ContainerStatus ToStatus(PodState pod, ContainerStatus c)
    {
        var spec = pod.FindSpec(c.Name);
        return new V1ContainerStatus
        {
            Name = c.Name,
            Image = spec?.Image ?? "",
            ImageID = "",
            ContainerID = c.InstanceId is null ? null : ContainerId(pod, c.InstanceId),
            Ready = c.Ready,
            Started = c.Started,
            RestartCount = c.RestartCount,
            State = c.State switch
            {
                ContainerRunState.Running => new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = c.StartedAt?.UtcDateTime } },
                ContainerRunState.Terminated => new V1ContainerState { Terminated = ToTerminated(pod, c.Terminated!) },
                _ => new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = c.WaitingReason, Message = c.WaitingMessage } },
            },
            LastState = c.LastTermination is { } last ? new V1ContainerState { Terminated = ToTerminated(pod, last) } : new V1ContainerState(),
        };
    }

    /// <summary>The kubelet's <c>&lt;runtime&gt;://&lt;id&gt;</c>: <c>docker://</c> and the Docker container id, or <c>process://</c>.</summary>
    private static string ContainerId(PodState pod, string instanceId) =>
        $"{(pod.Runtime == Specs.RuntimeKind.Docker ? "docker" : "process")}://{instanceId}";

    private static V1ContainerStateTerminated ToTerminated(PodState pod, Termination t) => new()
    {
        ExitCode = t.ExitCode,
        Reason = t.Reason,
        Message = t.Message,
        StartedAt = t.StartedAt.UtcDateTime,
        FinishedAt = t.FinishedAt.UtcDateTime,
        ContainerID = string.IsNullOrEmpty(t.InstanceId) ? null : ContainerId(pod, t.InstanceId),
    };

    public static Corev1Event ToV1Event(GatewayEvent e) => new()
    {
        ApiVersion = "v1",
        Kind = "Event",
        Metadata = new V1ObjectMeta { Name = e.Name, NamespaceProperty = e.Namespace, CreationTimestamp = e.FirstTimestamp.UtcDateTime },
        InvolvedObject = new V1ObjectReference { Kind = e.Kind, Name = e.PodName, NamespaceProperty = e.Namespace, Uid = InvolvedUid(e), FieldPath = e.FieldPath, ApiVersion = e.Kind is "ReplicaSet" or "Deployment" ? "apps/v1" : "v1" },
        Type = e.Type,
        Reason = e.Reason,
        Message = e.Message,
        Count = e.Count,
        FirstTimestamp = e.FirstTimestamp.UtcDateTime,
        LastTimestamp = e.LastTimestamp.UtcDateTime,
        Source = new V1EventSource { Component = "gateway", Host = NodeName },
        ReportingComponent = "gateway",
        ReportingInstance = NodeName,
    };

    /// <summary>
    /// Deployments and ReplicaSets are shown, not stored, so their events are recorded without a uid:
    /// they get the one the object shows, as <c>kubectl describe</c> selects events by <c>involvedObject.uid</c>.
    /// </summary>
    private static string InvolvedUid(GatewayEvent e) =>
        e.PodUid.Length == 0 && e.Kind is "Deployment" or "ReplicaSet" ? DeploymentMapper.Uid(e.Kind, e.PodName) : e.PodUid;
}
