using System.Globalization;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>
/// A change made to a service through the admin API (<c>kubectl scale</c>, <c>rollout restart</c>,
/// <c>rollout undo</c>, <c>rollout pause</c>), laid over the settings file's entry. It holds while
/// that entry is the one it was made on (<see cref="FileFingerprint"/>): the file is the desired
/// state, so an edit of the entry drops it and the file wins.
/// </summary>
/// <param name="FileFingerprint">The file entry's <see cref="Fingerprint"/> when the change was made.</param>
/// <param name="Replicas">The replica count set through the API; null: the file's.</param>
/// <param name="Template">The pod template set through the API (restart, undo); null: the file's.</param>
/// <param name="Paused">Whether the rollout is paused (<c>spec.paused</c>).</param>
public sealed record ServiceOverride(string FileFingerprint, int? Replicas = null, PodTemplate? Template = null, bool Paused = false)
{
    /// <summary>Whether it changes nothing (a resume of a pause that was all there was).</summary>
    public bool IsEmpty => Replicas is null && Template is null && !Paused;

    /// <summary>What identifies a service's file entry: its template, replicas, strategy, runtime and route.</summary>
    public static string Fingerprint(ServiceSpec service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var route = $"{service.Route.Path}|{string.Join(',', service.Route.Hosts)}";
        return service.Pods is { } pods
            ? string.Create(CultureInfo.InvariantCulture, $"{pods.Runtime}|{pods.TemplateHash}|{pods.Replicas}|{pods.Rollout.MaxSurge}|{pods.Rollout.MaxUnavailable}|{string.Join(',', pods.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))}|{route}")
            : route;
    }

    /// <summary>
    /// The rule between the file and the API as a plain function: the service the controller runs,
    /// given the file's entry and the override (if any). An override made on another version of the
    /// entry is void: the file's entry is returned as it is, and <c>Holds</c> is false.
    /// </summary>
    public static (ServiceSpec Effective, bool Holds) Apply(ServiceSpec file, ServiceOverride? change)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (change is null || file.Pods is not { PodName: null } pods || change.FileFingerprint != Fingerprint(file))
        {
            return (file, false);
        }

        var backend = pods with { Replicas = change.Replicas ?? pods.Replicas };
        if (change.Template is { } template)
        {
            backend = backend with { PodSpec = template.Spec, Labels = template.Labels, TemplateHash = template.Hash };
        }

        return (file with { Backend = backend }, true);
    }
}
