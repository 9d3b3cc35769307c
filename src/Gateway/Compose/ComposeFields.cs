namespace Gateway.Compose;

/// <summary>
/// The fields of a Compose Specification service the gateway does not take, each with why and what
/// to do instead; and those it ignores because they change nothing a gateway user sees.
/// </summary>
internal static class ComposeFields
{
    private const string Network = "the gateway runs its services on one host network and routes to each by its host name ({service}.localhost) and published ports; remove it";
    private const string Privilege = "the gateway does not give a service host privileges or devices; remove it";
    private const string Flatten = "run `docker compose config > flat.yaml` and translate the file it prints, in which this is resolved";
    private const string Resources = "not translated; after `gateway convert`, set resources.limits in the container of the Template";

    /// <summary>Fields of a service that are refused, with the detail of the error.</summary>
    public static readonly IReadOnlyDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["build"] = "the gateway runs images and programs, it does not build them: build the image first (`docker compose build` or `docker build -t NAME .`) and name it in image",
        ["extends"] = Flatten,
        ["profiles"] = "every service of the file runs; run `docker compose --profile NAME config > flat.yaml` to keep the services of a profile, and translate that",
        ["networks"] = Network,
        ["network_mode"] = Network,
        ["links"] = Network,
        ["external_links"] = Network,
        ["dns"] = Network,
        ["dns_opt"] = Network,
        ["dns_search"] = Network,
        ["extra_hosts"] = Network,
        ["mac_address"] = Network,
        ["domainname"] = Network,
        ["ipc"] = Network,
        ["pid"] = Network,
        ["uts"] = Network,
        ["userns_mode"] = Network,
        ["privileged"] = Privilege,
        ["cap_add"] = Privilege,
        ["cap_drop"] = Privilege,
        ["security_opt"] = Privilege,
        ["devices"] = Privilege,
        ["device_cgroup_rules"] = Privilege,
        ["gpus"] = Privilege,
        ["sysctls"] = Privilege,
        ["group_add"] = Privilege,
        ["use_api_socket"] = Privilege,
        ["volumes_from"] = "not translated; after `gateway convert`, add the volume (hostPath, emptyDir) and its volumeMount to the Template",
        ["tmpfs"] = "write it as a volume of type: tmpfs (volumes: [{type: tmpfs, target: /cache}]), which becomes an emptyDir in memory",
        ["configs"] = "not translated; after `gateway convert`, put the config in a ConfigMap (ConfigFiles) and mount it",
        ["secrets"] = "not translated; after `gateway convert`, put the secret in a Secret (ConfigFiles) and mount it",
        ["cpus"] = Resources,
        ["cpu_count"] = Resources,
        ["cpu_percent"] = Resources,
        ["cpu_shares"] = Resources,
        ["cpu_period"] = Resources,
        ["cpu_quota"] = Resources,
        ["cpu_rt_period"] = Resources,
        ["cpu_rt_runtime"] = Resources,
        ["cpuset"] = Resources,
        ["mem_limit"] = Resources,
        ["mem_reservation"] = Resources,
        ["mem_swappiness"] = Resources,
        ["memswap_limit"] = Resources,
        ["shm_size"] = Resources,
        ["pids_limit"] = Resources,
        ["blkio_config"] = Resources,
        ["oom_kill_disable"] = Resources,
        ["oom_score_adj"] = Resources,
        ["ulimits"] = Resources,
        ["cgroup"] = Resources,
        ["cgroup_parent"] = Resources,
        ["storage_opt"] = Resources,
        ["stop_signal"] = "the gateway stops a container with SIGTERM, then SIGKILL after stop_grace_period; make the program stop on SIGTERM",
        ["user"] = "not translated; after `gateway convert`, set securityContext.runAsUser in the Template",
        ["read_only"] = "not translated; after `gateway convert`, set securityContext.readOnlyRootFilesystem in the Template (Docker runtime)",
        ["init"] = "the gateway has no init process to add; make the program reap its children",
        ["isolation"] = "a Windows container setting; remove it",
        ["platform"] = "the gateway runs images for this host's platform; remove it",
        ["runtime"] = "the gateway's Docker runtime uses the engine's default OCI runtime; remove it",
        ["credential_spec"] = "a Windows container setting; remove it",
        ["logging"] = "the gateway keeps each container's output itself (kubectl logs); remove it",
        ["post_start"] = "not translated; after `gateway convert`, write it as lifecycle.postStart in the Template",
        ["pre_stop"] = "not translated; after `gateway convert`, write it as lifecycle.preStop in the Template",
        ["develop"] = "compose watch is not supported: the gateway reloads on changes to its own settings; remove it",
        ["attach"] = "the gateway keeps each container's output itself (kubectl logs); remove it",
        ["provider"] = "a service of a compose provider plugin cannot run on the gateway; remove it",
        ["models"] = "AI models of compose are not supported; remove it",
        ["label_file"] = "not translated; write the labels in labels",
        ["annotations"] = "not translated; write them in labels, which become the pod's annotations",
        ["driver_opts"] = Network,
    };

    /// <summary>Fields that change nothing on the gateway and are left out without a word.</summary>
    public static readonly IReadOnlySet<string> Ignored = new HashSet<string>(StringComparer.Ordinal)
    {
        "container_name", // pods are named by the gateway ({service}-{hash}-{id})
        "hostname", // the service is reached as {service}.localhost
        "stdin_open", // no terminal is attached; output is kept as the container's log
        "tty",
    };

    /// <summary>Top-level fields refused when they hold anything, with the detail.</summary>
    public static readonly IReadOnlyDictionary<string, string> RefusedTopLevel = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["include"] = Flatten,
        ["networks"] = Network,
        ["volumes"] = "named volumes are not translated; after `gateway convert`, use hostPath or emptyDir volumes in the Templates",
        ["configs"] = "not translated; after `gateway convert`, put them in ConfigMaps (ConfigFiles)",
        ["secrets"] = "not translated; after `gateway convert`, put them in Secrets (ConfigFiles)",
        ["models"] = "AI models of compose are not supported; remove it",
    };
}
