using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// A service's <c>Job</c> (<c>{ "BackoffLimit": 6 }</c>, may be <c>{}</c>) or a <c>batch/v1</c> Job
/// manifest: one pod run to completion, whose template says what a failed container does
/// (<c>restartPolicy</c> OnFailure or Never; Always would never complete).
/// </summary>
internal static class JobLoader
{
    private static readonly string[] JobKeys = ["BackoffLimit"];

    /// <summary>Whether the service names a <c>Job</c> key, even an empty one.</summary>
    public static bool IsSet(SettingsSection service) => service.HasKey("Job");

    /// <summary>The settings' <c>Job</c>; null when the service has none.</summary>
    public static JobSpec? Load(SettingsSection service)
    {
        if (!IsSet(service))
        {
            return null;
        }

        var job = service.Object("Job", JobKeys);
        return new JobSpec((int)(job.Integer("BackoffLimit", 0, JobSpec.MaxBackoffLimit) ?? JobSpec.DefaultBackoffLimit));
    }

    /// <summary>A Job manifest's <c>spec</c> as a pod template source; null with errors when it asks for what the gateway does not run.</summary>
    public static PodTemplateSource? FromManifest(V1Job manifest, string file, string path, string manifestPath, int? replicas, List<FieldError> errors)
    {
        ManifestMetadata.ValidateUnnamed(manifest.Metadata, $"{manifestPath}.metadata", errors);
        var specPath = $"{manifestPath}.spec";
        if (manifest.Spec?.Template is not { } template)
        {
            errors.Add(FieldError.Required(path, $"{file}: spec.template: a Job must carry a pod template"));
            return null;
        }

        var spec = manifest.Spec;
        foreach (var (field, value) in new[] { ("completions", spec.Completions), ("parallelism", spec.Parallelism) })
        {
            if (value is not null and not 1)
            {
                errors.Add(FieldError.Invalid($"{specPath}.{field}", value, "the gateway runs a Job as one pod to completion: only 1"));
            }
        }

        if (spec.BackoffLimit is < 0 or > JobSpec.MaxBackoffLimit)
        {
            errors.Add(FieldError.Invalid($"{specPath}.backoffLimit", spec.BackoffLimit, $"must be between 0 and {JobSpec.MaxBackoffLimit}"));
        }

        if (replicas is not null and not 1)
        {
            errors.Add(FieldError.Invalid(path, replicas, "a Job runs one pod to completion; remove Replicas"));
        }

        return new PodTemplateSource(template, $"{specPath}.template", PodName: null, 1) { Job = new JobSpec(spec.BackoffLimit ?? JobSpec.DefaultBackoffLimit) };
    }

    /// <summary>What a Job's pod template and service must be: one pod, a restart policy that lets it end, no rolling update.</summary>
    public static void Validate(SettingsSection service, PodTemplateSource source, string specPath, List<FieldError> errors)
    {
        if (source.PodName is not null)
        {
            errors.Add(FieldError.Invalid(service.PathOf("Job"), "{}", "a bare Pod manifest is not run to completion by the gateway: use Template or a batch/v1 Job manifest"));
        }

        if (service.Scalar("Replicas") is { Length: > 0 } replicas && replicas != "1")
        {
            errors.Add(FieldError.Invalid(service.PathOf("Replicas"), replicas, "a Job runs one pod to completion (completions 1): remove Replicas"));
        }

        if (service.HasKey("Strategy"))
        {
            errors.Add(FieldError.Forbidden(service.PathOf("Strategy"), "a Job's pod is not rolled; remove Strategy"));
        }

        var policy = source.Template.Spec?.RestartPolicy;
        if (policy is not ("OnFailure" or "Never"))
        {
            errors.Add(policy is null
                ? FieldError.Required($"{specPath}.restartPolicy", "a Job's pod must end: set restartPolicy to \"OnFailure\" or \"Never\"")
                : new FieldError($"{specPath}.restartPolicy", FieldError.NotSupportedType, GoSyntax.Quote(policy),
                    "supported values: \"OnFailure\", \"Never\"; a Job's pod with Always would never complete"));
        }
    }
}
