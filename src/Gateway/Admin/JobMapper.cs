using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// A run-to-completion service as a <c>batch/v1</c> Job: its template, <c>completions</c> and
/// <c>parallelism</c> 1, <c>backoffLimit</c>, and the status <see cref="JobDecision"/> counts from its pods.
/// </summary>
internal static class JobMapper
{
    public static V1Job ToV1Job(ServiceSpec service, IReadOnlyCollection<PodState> pods, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(service);
        var backend = service.Pods!;
        var (_, _, status) = JobDecision.Decide(backend.Job!, pods, backend.TemplateHash);
        var selector = new Dictionary<string, string>(StringComparer.Ordinal) { [JobSpec.JobNameLabel] = service.Name };
        var conditions = new List<V1JobCondition>();
        if (status.Condition is { } type)
        {
            var at = (status.CompletionTime ?? pods.Select(p => p.FinishedAt).Max() ?? created).UtcDateTime;
            conditions.Add(new V1JobCondition { Type = type, Status = "True", Reason = status.Reason, Message = status.Message, LastProbeTime = at, LastTransitionTime = at });
        }

        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = service.Name,
                NamespaceProperty = "default",
                Uid = DeploymentMapper.Uid("Job", service.Name),
                CreationTimestamp = created.UtcDateTime,
                Labels = new Dictionary<string, string>(selector, StringComparer.Ordinal) { ["job-name"] = service.Name },
                ResourceVersion = ResourceVersion(status),
                Generation = 1,
            },
            Spec = new V1JobSpec
            {
                Completions = 1,
                Parallelism = 1,
                BackoffLimit = backend.Job!.BackoffLimit,
                Selector = new V1LabelSelector { MatchLabels = selector },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(backend.Labels, StringComparer.Ordinal) },
                    Spec = backend.PodSpec,
                },
            },
            Status = new V1JobStatus
            {
                Active = status.Active > 0 ? status.Active : null,
                Succeeded = status.Succeeded > 0 ? status.Succeeded : null,
                Failed = status.Failed > 0 ? status.Failed : null,
                Ready = pods.Count(p => p.Ready && p.TemplateHash == backend.TemplateHash),
                StartTime = status.StartTime?.UtcDateTime,
                CompletionTime = status.CompletionTime?.UtcDateTime,
                Conditions = conditions.Count > 0 ? conditions : null,
            },
        };
    }

    /// <summary>The owner reference of a Job's pod.</summary>
    public static V1OwnerReference Owner(string service) => new()
    {
        ApiVersion = "batch/v1", Kind = "Job", Name = service, Uid = DeploymentMapper.Uid("Job", service), Controller = true, BlockOwnerDeletion = true,
    };

    /// <summary>Changes whenever the status does.</summary>
    private static string ResourceVersion(JobStatus status)
    {
        var text = $"{status.Active}/{status.Succeeded}/{status.Failed}/{status.Condition}/{status.StartTime?.ToUnixTimeMilliseconds()}/{status.CompletionTime?.ToUnixTimeMilliseconds()}";
        return BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
