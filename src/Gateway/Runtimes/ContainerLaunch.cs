using k8s.Models;

namespace Gateway.Runtimes;

/// <summary>Everything a runtime needs to start one container instance; names and values are final (expanded).</summary>
public sealed record ContainerLaunch
{
    public required string Namespace { get; init; }

    public required string PodName { get; init; }

    public required string PodUid { get; init; }

    public required string ServiceName { get; init; }

    public required V1Container Container { get; init; }

    /// <summary>The program and its arguments after <c>$(VAR)</c> expansion.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>The container's environment, in order, after expansion.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public required IReadOnlyList<PortMapping> Ports { get; init; }

    /// <summary>
    /// A fresh, empty host file for this instance's termination message, read when it ends (null: none).
    /// The Process runtime's app finds it in <c>TERMINATION_MESSAGE_PATH</c>; Docker bind-mounts it at
    /// the container's <c>terminationMessagePath</c>, as the kubelet does.
    /// </summary>
    public string? TerminationMessageFile { get; init; }

    /// <summary>The file this instance's output is logged to, in the CRI format (see <see cref="ContainerLogFiles"/>); null: in memory only.</summary>
    public ContainerLogFileSpec? LogFile { get; init; }

    /// <summary>The file that names the pod's own network namespace (Pod mode, see <see cref="PodNetworks"/>); null: the host's network.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The pod's <c>volumes</c>, which the container's <c>volumeMounts</c> name (see <see cref="PodVolumes"/>).</summary>
    public IReadOnlyList<V1Volume> Volumes { get; init; } = [];

    /// <summary>The ConfigMaps and Secrets that <c>configMap</c> and <c>secret</c> volumes project.</summary>
    public Specs.ConfigObjects Objects { get; init; } = Specs.ConfigObjects.Empty;

    /// <summary>How many instances of this container ran before this one.</summary>
    public int RestartCount { get; init; }

    /// <summary>The folder of the settings file, for runtimes that resolve paths.</summary>
    public string? ConfigDirectory { get; init; }

    /// <summary>The pod's labels (<c>app</c> and the template's).</summary>
    public IReadOnlyDictionary<string, string> PodLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>The pod template's hash, which a runtime may record to recognise its containers later.</summary>
    public string TemplateHash { get; init; } = "";

    /// <summary>Records a Kubernetes-style event on the pod (type, reason, message), e.g. <c>Pulled</c>.</summary>
    public Action<string, string, string> RecordEvent { get; init; } = static (_, _, _) => { };
}
