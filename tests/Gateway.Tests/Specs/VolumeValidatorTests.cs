using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class VolumeValidatorTests
{
    // One row per rule of volumes and volumeMounts: a spec breaking exactly that rule, and its one message.
    public static TheoryData<string, string> InvalidVolumes => new()
    {
        { "volumes: [{name: data}]\ncontainers: [{name: web}]", "spec.volumes[0]: Required value: must specify a volume type" },
        { "volumes: [{name: data, emptyDir: {}, hostPath: {path: /srv}}]\ncontainers: [{name: web}]", "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type" },
        { "volumes: [{name: data, emptyDir: {}}, {name: data, emptyDir: {}}]\ncontainers: [{name: web}]", "spec.volumes[1].name: Duplicate value: \"data\"" },
        { "volumes: [{name: Data, emptyDir: {}}]\ncontainers: [{name: web}]", "spec.volumes[0].name: Invalid value: \"Data\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" },
        { "volumes: [{name: data, emptyDir: {medium: Memory}}]\ncontainers: [{name: web}]", "spec.volumes[0].emptyDir.medium: Forbidden: not supported by the gateway: an emptyDir is a folder on the host's disk; remove it" },
        { "volumes: [{name: data, emptyDir: {sizeLimit: 1Gi}}]\ncontainers: [{name: web}]", "spec.volumes[0].emptyDir.sizeLimit: Forbidden: not supported by the gateway: an emptyDir is not limited in size; remove it" },
        { "volumes: [{name: data, hostPath: {path: srv}}]\ncontainers: [{name: web}]", "spec.volumes[0].hostPath.path: Invalid value: \"srv\": must be an absolute path" },
        { "volumes: [{name: data, hostPath: {path: /srv/../etc}}]\ncontainers: [{name: web}]", "spec.volumes[0].hostPath.path: Invalid value: \"/srv/../etc\": must not contain '..'" },
        { "volumes: [{name: data, hostPath: {path: /dev/sda, type: BlockDevice}}]\ncontainers: [{name: web}]", "spec.volumes[0].hostPath.type: Unsupported value: \"BlockDevice\": supported values: \"DirectoryOrCreate\", \"Directory\", \"FileOrCreate\", \"File\"" },
        { "volumes: [{name: cfg, configMap: {}}]\ncontainers: [{name: web}]", "spec.volumes[0].configMap.name: Required value" },
        { "volumes: [{name: cfg, secret: {secretName: s, defaultMode: 1000}}]\ncontainers: [{name: web}]", "spec.volumes[0].secret.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive" },
        { "volumes: [{name: cfg, configMap: {name: c, items: [{key: k, path: /etc/k}]}}]\ncontainers: [{name: web}]", "spec.volumes[0].configMap.items[0].path: Invalid value: \"/etc/k\": must be a relative path" },
        { "volumes: [{name: cfg, configMap: {name: c, items: [{key: k, path: ../k}]}}]\ncontainers: [{name: web}]", "spec.volumes[0].configMap.items[0].path: Invalid value: \"../k\": must not contain '..'" },
        { "volumes: [{name: cfg, configMap: {name: c, items: [{key: k, path: a}, {key: j, path: a}]}}]\ncontainers: [{name: web}]", "spec.volumes[0].configMap.items[1].path: Duplicate value: \"a\"" },
        { "volumes: [{name: cfg, configMap: {name: c, items: [{path: a}]}}]\ncontainers: [{name: web}]", "spec.volumes[0].configMap.items[0].key: Required value" },
        { "volumes: [{name: nfs, nfs: {server: s, path: /}}]\ncontainers: [{name: web}]", "spec.volumes[0].nfs: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, volumeMounts: [{name: data, mountPath: /data}]}]", "spec.containers[0].volumeMounts[0].name: Not found: \"data\": no volume of that name in spec.volumes (the pod declares none); declare it there, e.g. {name: data, emptyDir: {}}, or mount a declared one" },
        { "volumes: [{name: a, emptyDir: {}}, {name: b, emptyDir: {}}]\ncontainers: [{name: web, volumeMounts: [{name: c, mountPath: /data}]}]", "spec.containers[0].volumeMounts[0].name: Not found: \"c\": no volume of that name in spec.volumes (the pod declares \"a\", \"b\"); declare it there, e.g. {name: c, emptyDir: {}}, or mount a declared one" },
        { "volumes: [{name: a, emptyDir: {}}]\ncontainers: [{name: web, volumeMounts: [{name: a, mountPath: /data}, {name: a, mountPath: /data/}]}]", "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data/\": must be unique: another of the container's volumeMounts mounts there; give each mount its own mountPath" },
        { "volumes: [{name: a, emptyDir: {}}]\ncontainers: [{name: web, volumeMounts: [{name: a, mountPath: data}]}]", "spec.containers[0].volumeMounts[0].mountPath: Invalid value: \"data\": must be an absolute path" },
        { "volumes: [{name: a, emptyDir: {}}]\ncontainers: [{name: web, volumeMounts: [{name: a}]}]", "spec.containers[0].volumeMounts[0].mountPath: Required value" },
        { "volumes: [{name: a, emptyDir: {}}]\ncontainers: [{name: web, volumeMounts: [{name: a, mountPath: /d, subPath: ../x}]}]", "spec.containers[0].volumeMounts[0].subPath: Invalid value: \"../x\": must not contain '..'" },
        { "volumes: [{name: a, emptyDir: {}}]\ncontainers: [{name: web, volumeMounts: [{name: a, mountPath: /d, subPathExpr: $(POD)}]}]", "spec.containers[0].volumeMounts[0].subPathExpr: Forbidden: not supported by the gateway; remove it" },
    };

    [Theory]
    [MemberData(nameof(InvalidVolumes))]
    public void Validate_VolumesBreakingOneRule_ReportsExactlyThatError(string specYaml, string expected)
    {
        Assert.Equal([expected], PodSpecValidator.Validate(PodYaml.Spec(specYaml), "spec").Select(error => error.ToString()));
    }

    [Fact]
    public void Validate_EverySupportedVolume_ReportsNothing()
    {
        var spec = PodYaml.Spec("""
            volumes:
            - {name: scratch, emptyDir: {}}
            - {name: logs, hostPath: {path: /var/log/app, type: DirectoryOrCreate}}
            - {name: cfg, configMap: {name: app-config, defaultMode: 420, items: [{key: app.conf, path: conf/app.conf, mode: 256}], optional: true}}
            - {name: creds, secret: {secretName: creds, defaultMode: 0400}}
            containers:
            - name: web
              volumeMounts:
              - {name: scratch, mountPath: /scratch}
              - {name: cfg, mountPath: /etc/app, readOnly: true}
              - {name: creds, mountPath: /etc/creds/password, subPath: password, mountPropagation: None}
              - {name: logs, mountPath: /logs}
            - name: sidecar
              volumeMounts: [{name: scratch, mountPath: /scratch}]
            """);

        Assert.Empty(PodSpecValidator.Validate(spec, "spec"));
    }
}
