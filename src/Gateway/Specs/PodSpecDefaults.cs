using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// The API server's defaults for the pod fields the gateway implements (k8s pkg/apis/core/v1
/// defaults.go), so that the rest of the gateway never has to ask whether a field was set.
/// </summary>
public static class PodSpecDefaults
{
    /// <summary>The default <c>restartPolicy</c>.</summary>
    public const string RestartPolicy = "Always";

    /// <summary>The <c>restartPolicy</c> that makes an init container a sidecar (the only value an init container may have).</summary>
    public const string SidecarRestartPolicy = "Always";

    /// <summary>The default <c>terminationMessagePath</c>.</summary>
    public const string TerminationMessagePath = "/dev/termination-log";

    /// <summary>
    /// The variable that gives a Process-runtime container the path of its instance's termination-message
    /// file: a host process has no container filesystem to hold <c>/dev/termination-log</c>.
    /// </summary>
    public const string TerminationMessagePathVariable = "TERMINATION_MESSAGE_PATH";

    /// <summary>The default <c>terminationMessagePolicy</c>.</summary>
    public const string TerminationMessagePolicy = "File";

    /// <summary>The default <c>terminationGracePeriodSeconds</c> of a pod.</summary>
    public const long TerminationGracePeriodSeconds = 30;

    /// <summary>The default probe <c>initialDelaySeconds</c>.</summary>
    public const int InitialDelaySeconds = 0;

    /// <summary>The default probe <c>periodSeconds</c>.</summary>
    public const int PeriodSeconds = 10;

    /// <summary>The default probe <c>timeoutSeconds</c>.</summary>
    public const int TimeoutSeconds = 1;

    /// <summary>The default probe <c>successThreshold</c>.</summary>
    public const int SuccessThreshold = 1;

    /// <summary>The default probe <c>failureThreshold</c>.</summary>
    public const int FailureThreshold = 3;

    /// <summary>
    /// Returns a deep copy of <paramref name="spec"/> with every unset defaulted field filled in;
    /// <paramref name="spec"/> itself is left as it is.
    /// </summary>
    public static V1PodSpec ApplyDefaults(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var copy = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(spec));
        if (string.IsNullOrEmpty(copy.RestartPolicy))
        {
            copy.RestartPolicy = RestartPolicy;
        }

        copy.TerminationGracePeriodSeconds ??= TerminationGracePeriodSeconds;
        foreach (var container in (copy.InitContainers ?? []).Concat(copy.Containers ?? []))
        {
            DefaultContainer(container);
        }

        return copy;
    }

    /// <summary>An init container with <c>restartPolicy: Always</c>: a sidecar that keeps running beside the containers.</summary>
    public static bool IsSidecar(V1Container? container) => container?.RestartPolicy == SidecarRestartPolicy;

    private static void DefaultContainer(V1Container container)
    {
        if (string.IsNullOrEmpty(container.TerminationMessagePath))
        {
            container.TerminationMessagePath = TerminationMessagePath;
        }

        if (string.IsNullOrEmpty(container.TerminationMessagePolicy))
        {
            container.TerminationMessagePolicy = TerminationMessagePolicy;
        }

        if (string.IsNullOrEmpty(container.ImagePullPolicy))
        {
            container.ImagePullPolicy = DefaultPullPolicy(container.Image);
        }

        foreach (var port in container.Ports ?? [])
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }
        }

        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe }.OfType<V1Probe>())
        {
            ApplyProbeDefaults(probe);
        }

        DefaultHttpGet(container.Lifecycle?.PreStop?.HttpGet);
        DefaultHttpGet(container.Lifecycle?.PostStart?.HttpGet);
    }

    /// <summary>The API server's defaults for one probe: timings, thresholds, and httpGet's path and scheme.</summary>
    public static void ApplyProbeDefaults(V1Probe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        probe.InitialDelaySeconds ??= InitialDelaySeconds;
        probe.PeriodSeconds ??= PeriodSeconds;
        probe.TimeoutSeconds ??= TimeoutSeconds;
        probe.SuccessThreshold ??= SuccessThreshold;
        probe.FailureThreshold ??= FailureThreshold;
        DefaultHttpGet(probe.HttpGet);
    }

    private static void DefaultHttpGet(V1HTTPGetAction? httpGet)
    {
        if (httpGet is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(httpGet.Path))
        {
            httpGet.Path = "/";
        }

        if (string.IsNullOrEmpty(httpGet.Scheme))
        {
            httpGet.Scheme = "HTTP";
        }
    }

    // Kubernetes' rule: pull always for ":latest" and for an image with neither tag nor digest.
    private static string DefaultPullPolicy(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return "IfNotPresent";
        }

        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? image : image[..at];
        var colon = name.IndexOf(':', name.LastIndexOf('/') + 1);
        var tag = colon < 0 ? (at < 0 ? "latest" : string.Empty) : name[(colon + 1)..];
        return tag == "latest" ? "Always" : "IfNotPresent";
    }
}
