namespace Gateway.Specs;

/// <summary>How pods are networked (<c>Gateway:PodNetwork</c>, decided once at start).</summary>
public enum PodNetworkMode
{
    /// <summary>Pods share the host's network: each declared containerPort gets a free host port, passed as <c>PORT</c>.</summary>
    Host,

    /// <summary>Each pod has a network namespace of its own with only its loopback up; apps listen on their containerPort.</summary>
    Pod,
}

/// <summary>The <c>Gateway:PodNetwork</c> setting and the mode it comes to on a host (pure).</summary>
public static class PodNetworkSetting
{
    public const string Auto = "Auto";
    public const string Pod = "Pod";
    public const string Host = "Host";

    /// <summary>The values the setting takes, the default first.</summary>
    public static readonly IReadOnlyList<string> Values = [Auto, Pod, Host];

    /// <summary>
    /// The mode <paramref name="setting"/> comes to where <paramref name="problem"/> says why the host
    /// allows no network namespaces (null: it allows them), and the line the gateway says about it,
    /// or the error that stops it (<c>Pod</c> asked for where it cannot be had).
    /// </summary>
    public static (PodNetworkMode Mode, string Said, string? Error) Decide(string? setting, string? problem)
    {
        var value = string.IsNullOrEmpty(setting) ? Auto : setting;
        if (string.Equals(value, Host, StringComparison.OrdinalIgnoreCase))
        {
            return (PodNetworkMode.Host, "pod network: Host (Gateway:PodNetwork): pods share the host's network, each containerPort is given a free host port passed as $PORT", null);
        }

        if (problem is null)
        {
            return (PodNetworkMode.Pod, "pod network: Pod: each pod has a network namespace of its own (loopback only); apps listen on their containerPort", null);
        }

        return string.Equals(value, Pod, StringComparison.OrdinalIgnoreCase)
            ? (PodNetworkMode.Host, "", $"Gateway:PodNetwork: Invalid value: \"{value}\": this host gives pods no network namespace ({problem}); run the gateway as root or with CAP_SYS_ADMIN, or set it to \"Auto\" or \"Host\"")
            : (PodNetworkMode.Host, $"pod network: Host: no network namespace per pod on this host ({problem}); pods share the host's network and an app must listen on $PORT (set Gateway:PodNetwork to \"Host\" to say so, or run as root or with CAP_SYS_ADMIN for a namespace per pod)", null);
    }

    /// <summary>The setting's problem, or null when <paramref name="setting"/> is one of <see cref="Values"/> (any case).</summary>
    public static string? Problem(string? setting) =>
        string.IsNullOrEmpty(setting) || Values.Contains(setting, StringComparer.OrdinalIgnoreCase) ? null
        : $"must be one of {string.Join(", ", Values.Select(v => $"\"{v}\""))}";
}
