using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// The server-side <c>Table</c> (meta.k8s.io/v1) that <c>kubectl get</c> asks for, with the columns
/// the API server prints for pods, events and endpointslices.
/// </summary>
internal static class KubectlTable
{
    /// <summary>Whether the request's Accept header asks for a Table (<c>application/json;as=Table;v=v1;g=meta.k8s.io</c>).</summary>
    public static bool IsWanted(string? accept) =>
        accept is not null && accept.Split(',').Any(type => type.Contains("as=Table", StringComparison.Ordinal) && type.Contains("g=meta.k8s.io", StringComparison.Ordinal));

    public static JsonObject Pods(IEnumerable<V1Pod> pods, DateTimeOffset now) => Table(
        [("Name", "string", "name", 0), ("Ready", "string", "", 0), ("Status", "string", "", 0), ("Restarts", "string", "", 0), ("Age", "string", "", 0), ("IP", "string", "", 1), ("Node", "string", "", 1),
            ("Nominated Node", "string", "", 1), ("Readiness Gates", "string", "", 1)],
        pods.Select(p => (Cells(p.Metadata.Name, ReadyColumn(p), StatusColumn(p), RestartsColumn(p, now), Age(p.Metadata.CreationTimestamp, now), p.Status?.PodIP ?? "<none>", p.Spec?.NodeName ?? "<none>",
            p.Status?.NominatedNodeName ?? "<none>", ReadinessGatesColumn(p)), p.Metadata)));

    /// <summary>kubectl's deployment columns; <c>-o wide</c> adds the containers, images and selector.</summary>
    public static JsonObject Deployments(IEnumerable<V1Deployment> deployments, DateTimeOffset now) => Table(
        [("Name", "string", "name", 0), ("Ready", "string", "", 0), ("Up-to-date", "integer", "", 0), ("Available", "integer", "", 0), ("Age", "string", "", 0),
            ("Containers", "string", "", 1), ("Images", "string", "", 1), ("Selector", "string", "", 1)],
        deployments.Select(d => (Cells(
            d.Metadata.Name, $"{d.Status?.ReadyReplicas ?? 0}/{d.Spec.Replicas ?? 0}", I(d.Status?.UpdatedReplicas ?? 0), I(d.Status?.AvailableReplicas ?? 0),
            Age(d.Metadata.CreationTimestamp, now), Containers(d.Spec.Template), Images(d.Spec.Template), Selector(d.Spec.Selector)), d.Metadata)));

    /// <summary>kubectl's replicaset columns; <c>-o wide</c> adds the containers, images and selector.</summary>
    public static JsonObject ReplicaSets(IEnumerable<V1ReplicaSet> replicaSets, DateTimeOffset now) => Table(
        [("Name", "string", "name", 0), ("Desired", "integer", "", 0), ("Current", "integer", "", 0), ("Ready", "integer", "", 0), ("Age", "string", "", 0),
            ("Containers", "string", "", 1), ("Images", "string", "", 1), ("Selector", "string", "", 1)],
        replicaSets.Select(r => (Cells(
            r.Metadata.Name, I(r.Spec.Replicas ?? 0), I(r.Status?.Replicas ?? 0), I(r.Status?.ReadyReplicas ?? 0),
            Age(r.Metadata.CreationTimestamp, now), Containers(r.Spec.Template), Images(r.Spec.Template), Selector(r.Spec.Selector)), r.Metadata)));

    /// <summary>
    /// kubectl's job columns: STATUS (Complete, Failed, else Running), COMPLETIONS (succeeded over
    /// completions), DURATION (start to completion, or to now while it runs; empty before it started);
    /// <c>-o wide</c> adds the containers, images and selector.
    /// </summary>
    public static JsonObject Jobs(IEnumerable<V1Job> jobs, DateTimeOffset now) => Table(
        [("Name", "string", "name", 0), ("Status", "string", "", 0), ("Completions", "string", "", 0), ("Duration", "string", "", 0), ("Age", "string", "", 0),
            ("Containers", "string", "", 1), ("Images", "string", "", 1), ("Selector", "string", "", 1)],
        jobs.Select(j => (Cells(
            j.Metadata.Name, JobStatusColumn(j), $"{I(j.Status?.Succeeded ?? 0)}/{I(j.Spec.Completions ?? 1)}", JobDuration(j, now),
            Age(j.Metadata.CreationTimestamp, now), Containers(j.Spec.Template), Images(j.Spec.Template), Selector(j.Spec.Selector)), j.Metadata)));

    private static string JobStatusColumn(V1Job job) =>
        job.Status?.Conditions?.Any(c => c is { Type: "Complete", Status: "True" }) == true ? "Complete"
        : job.Status?.Conditions?.Any(c => c is { Type: "Failed", Status: "True" }) == true ? "Failed"
        : job.Metadata.DeletionTimestamp is not null ? "Terminating"
        : "Running";

    private static string JobDuration(V1Job job, DateTimeOffset now) => job.Status?.StartTime is not { } start ? ""
        : HumanDuration((job.Status.CompletionTime is { } done ? Utc(done) : now) - Utc(start));

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>kubectl's READINESS GATES: gates whose condition is True over the gates; &lt;none&gt; without any.</summary>
    public static string ReadinessGatesColumn(V1Pod pod)
    {
        var gates = pod.Spec?.ReadinessGates ?? [];
        if (gates.Count == 0)
        {
            return "<none>";
        }

        var passed = gates.Count(g => pod.Status?.Conditions?.Any(c => c.Type == g.ConditionType && c.Status == "True") == true);
        return $"{I(passed)}/{I(gates.Count)}";
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Containers(V1PodTemplateSpec? template) => string.Join(',', template?.Spec?.Containers?.Select(c => c.Name) ?? []);

    private static string Images(V1PodTemplateSpec? template) => string.Join(',', template?.Spec?.Containers?.Select(c => c.Image ?? "") ?? []);

    private static string Selector(V1LabelSelector? selector) =>
        selector?.MatchLabels is { Count: > 0 } labels ? string.Join(',', labels.Select(l => $"{l.Key}={l.Value}")) : "<none>";

    public static JsonObject Events(IEnumerable<Corev1Event> events, DateTimeOffset now) => Table(
        [("Last Seen", "string", "", 0), ("Type", "string", "", 0), ("Reason", "string", "", 0), ("Object", "string", "", 0), ("Message", "string", "", 0), ("Name", "string", "name", 1)],
        events.Select(e => (Cells(
            Age(e.LastTimestamp, now), e.Type, e.Reason,
            $"{e.InvolvedObject.Kind.ToLowerInvariant()}/{e.InvolvedObject.Name}", e.Message, e.Metadata.Name), e.Metadata)));

    public static JsonObject EndpointSlices(IEnumerable<V1EndpointSlice> slices, DateTimeOffset now) => Table(
        [("Name", "string", "name", 0), ("AddressType", "string", "", 0), ("Ports", "string", "", 0), ("Endpoints", "string", "", 0), ("Age", "string", "", 0)],
        slices.Select(s => (Cells(
            s.Metadata.Name, s.AddressType,
            s.Ports is { Count: > 0 } ports ? string.Join(',', ports.Select(p => p.Port?.ToString(CultureInfo.InvariantCulture) ?? "<unset>")) : "<unset>",
            EndpointsColumn(s), Age(s.Metadata.CreationTimestamp, now)), s.Metadata)));

    /// <summary>kubectl's READY: ready containers over containers, sidecars counted with them.</summary>
    public static string ReadyColumn(V1Pod pod)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var sidecars = (pod.Status?.InitContainerStatuses ?? []).Where(s => IsSidecar(pod, s.Name)).ToList();
        return $"{statuses.Count(s => s.Ready) + sidecars.Count(s => s.Started == true && s.Ready)}/{(pod.Spec?.Containers?.Count ?? statuses.Count) + sidecars.Count}";
    }

    private static bool IsSidecar(V1Pod pod, string name) => pod.Spec?.InitContainers?.FirstOrDefault(c => c.Name == name)?.RestartPolicy == "Always";

    /// <summary>kubectl's STATUS (printPod): a container's waiting or terminated reason, else the phase; Terminating once deletion began.</summary>
    public static string StatusColumn(V1Pod pod)
    {
        var reason = pod.Status?.Reason is { Length: > 0 } r ? r : pod.Status?.Phase ?? "Unknown";
        var init = pod.Status?.InitContainerStatuses ?? [];
        for (var i = 0; i < init.Count; i++)
        {
            var state = init[i].State;
            if (state?.Terminated is { ExitCode: 0 } || (IsSidecar(pod, init[i].Name) && init[i].Started == true))
            {
                continue;
            }

            reason = state?.Terminated is { } t ? $"Init:{(t.Reason is { Length: > 0 } tr ? tr : $"ExitCode:{t.ExitCode}")}"
                : state?.Waiting?.Reason is { Length: > 0 } w && w != "PodInitializing" ? $"Init:{w}"
                : $"Init:{i}/{init.Count}";
            return pod.Metadata?.DeletionTimestamp is null ? reason : "Terminating";
        }

        var runningAndReady = false;
        foreach (var status in (pod.Status?.ContainerStatuses ?? []).Reverse())
        {
            if (status.State?.Waiting?.Reason is { Length: > 0 } waiting)
            {
                reason = waiting;
            }
            else if (status.State?.Terminated is { } terminated)
            {
                reason = terminated.Reason is { Length: > 0 } tr ? tr : $"ExitCode:{terminated.ExitCode}";
            }
            else if (status.State?.Running is not null && status.Ready)
            {
                runningAndReady = true;
            }
        }

        // kubectl: a pod with a completed container and another still running and ready is Running.
        if (reason == "Completed" && runningAndReady)
        {
            reason = "Running";
        }

        return pod.Metadata?.DeletionTimestamp is null ? reason : "Terminating";
    }

    /// <summary>kubectl's RESTARTS: the sum, and how long ago the last container ended when one did.</summary>
    public static string RestartsColumn(V1Pod pod, DateTimeOffset now)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var restarts = statuses.Sum(s => s.RestartCount);
        var last = statuses.Select(s => s.LastState?.Terminated?.FinishedAt).Where(t => t is not null).Max();
        return restarts > 0 && last is { } finished
            ? $"{restarts.ToString(CultureInfo.InvariantCulture)} ({HumanDuration(now - finished)} ago)"
            : restarts.ToString(CultureInfo.InvariantCulture);
    }

    private static string EndpointsColumn(V1EndpointSlice slice)
    {
        var addresses = (slice.Endpoints ?? []).Where(e => e.Conditions?.Ready ?? true).SelectMany(e => e.Addresses ?? []).ToList();
        return addresses.Count switch
        {
            0 => "<none>",
            <= 3 => string.Join(',', addresses),
            _ => $"{string.Join(',', addresses.Take(3))} + {(addresses.Count - 3).ToString(CultureInfo.InvariantCulture)} more...",
        };
    }

    private static string Age(DateTime? time, DateTimeOffset now) =>
        time is { } t ? HumanDuration(now - new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))) : "<unknown>";

    /// <summary>Kubernetes' <c>duration.HumanDuration</c>: 45s, 3m20s, 12m, 5h3m, 30h, 3d4h, 40d, 2y10d.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        static string I(double v) => ((long)v).ToString(CultureInfo.InvariantCulture);
        if (d < TimeSpan.FromSeconds(-1))
        {
            return "<invalid>";
        }

        if (d < TimeSpan.Zero)
        {
            return "0s";
        }

        if (d < TimeSpan.FromMinutes(2))
        {
            return $"{I(d.TotalSeconds)}s";
        }

        if (d < TimeSpan.FromMinutes(10))
        {
            return d.Seconds == 0 ? $"{I(d.TotalMinutes)}m" : $"{I(d.TotalMinutes)}m{d.Seconds}s";
        }

        if (d < TimeSpan.FromHours(3))
        {
            return $"{I(d.TotalMinutes)}m";
        }

        if (d < TimeSpan.FromHours(8))
        {
            return d.Minutes == 0 ? $"{I(d.TotalHours)}h" : $"{I(d.TotalHours)}h{d.Minutes}m";
        }

        if (d < TimeSpan.FromHours(48))
        {
            return $"{I(d.TotalHours)}h";
        }

        if (d < TimeSpan.FromDays(8))
        {
            return d.Hours == 0 ? $"{I(d.TotalDays)}d" : $"{I(d.TotalDays)}d{d.Hours}h";
        }

        if (d < TimeSpan.FromDays(365 * 2))
        {
            return $"{I(d.TotalDays)}d";
        }

        var years = (long)(d.TotalDays / 365);
        var days = (long)d.TotalDays % 365;
        return d < TimeSpan.FromDays(365 * 8) && days > 0 ? $"{years}y{days}d" : $"{years}y";
    }

    private static string?[] Cells(params string?[] cells) => cells;

    private static JsonObject Table(IEnumerable<(string Name, string Type, string Format, int Priority)> columns, IEnumerable<(string?[] Cells, V1ObjectMeta Metadata)> rows) => new()
    {
        ["kind"] = "Table",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
        ["columnDefinitions"] = new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["type"] = c.Type,
            ["format"] = c.Format,
            ["description"] = "",
            ["priority"] = c.Priority,
        })]),
        ["rows"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
        {
            ["cells"] = new JsonArray([.. r.Cells.Select(c => (JsonNode?)JsonValue.Create(c ?? ""))]),
            ["object"] = new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = JsonNode.Parse(KubernetesJson.Serialize(r.Metadata)),
            },
        })]),
    };
}
