using System.Collections.Immutable;
using System.Text;
using Gateway.Runtimes;
using Gateway.Specs;
using Gateway.Tests.Specs;
using k8s.Models;

namespace Gateway.Tests.Runtimes;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PodVolumesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gateway-volumes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly ConfigObjects Objects = new(
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, ConfigMapData>
        {
            ["app-config"] = new(
                ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["app.conf"] = "x = 1\n", ["mode"] = "fast" }),
                ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, byte[]> { ["logo.png"] = [0x89, 0x50] })),
        }),
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, ImmutableSortedDictionary<string, byte[]>>
        {
            ["creds"] = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("hunter2") }),
        }));

    private static ContainerLaunch Launch(string specYaml, string container = "web")
    {
        var spec = PodYaml.Spec(specYaml);
        return new ContainerLaunch
        {
            Namespace = "default",
            PodName = "web-abc-xyz12",
            PodUid = "uid-1",
            ServiceName = "web",
            Container = spec.Containers.First(c => c.Name == container),
            Argv = ["app"],
            Environment = new Dictionary<string, string>(),
            Ports = [],
            Volumes = [.. spec.Volumes ?? []],
            Objects = Objects,
        };
    }

    [Fact]
    public void Prepare_ConfigMapVolume_ProjectsEveryKeyAsA0644FileReadOnly()
    {
        var volumes = new PodVolumes(_root);

        var bind = Assert.Single(volumes.Prepare(Launch("volumes: [{name: cfg, configMap: {name: app-config}}]\ncontainers: [{name: web, volumeMounts: [{name: cfg, mountPath: /etc/app}]}]")));

        Assert.Equal(new VolumeBind("cfg", Path.Combine(_root, "uid-1", "cfg"), "/etc/app", ReadOnly: true), bind);
        Assert.Equal("x = 1\n", File.ReadAllText(Path.Combine(bind.HostPath, "app.conf")));
        Assert.Equal([0x89, 0x50], File.ReadAllBytes(Path.Combine(bind.HostPath, "logo.png")));
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Path.Combine(bind.HostPath, "mode")));
    }

    [Fact]
    public void Prepare_SecretItemsAndModes_ProjectOnlyTheItemsAtTheirPaths()
    {
        var volumes = new PodVolumes(_root);

        var bind = Assert.Single(volumes.Prepare(Launch("volumes: [{name: s, secret: {secretName: creds, defaultMode: 0400, items: [{key: password, path: db/pass}]}}]\ncontainers: [{name: web, volumeMounts: [{name: s, mountPath: /creds}]}]")));

        Assert.Equal(["db"], Directory.EnumerateFileSystemEntries(bind.HostPath).Select(Path.GetFileName));
        Assert.Equal("hunter2", File.ReadAllText(Path.Combine(bind.HostPath, "db", "pass")));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(bind.HostPath, "db", "pass")));
    }

    [Fact]
    public void Prepare_EmptyDir_IsOneFolderForThePodsContainers_RemovedWithThePod()
    {
        const string Spec = "volumes: [{name: scratch, emptyDir: {}}]\ncontainers: [{name: web, volumeMounts: [{name: scratch, mountPath: /data}]}, {name: side, volumeMounts: [{name: scratch, mountPath: /shared, subPath: out}]}]";
        var volumes = new PodVolumes(_root);

        var web = Assert.Single(volumes.Prepare(Launch(Spec)));
        var side = Assert.Single(volumes.Prepare(Launch(Spec, "side")));

        Assert.Equal(Path.Combine(_root, "uid-1", "scratch"), web.HostPath);
        Assert.Equal(Path.Combine(web.HostPath, "out"), side.HostPath);
        Assert.False(web.ReadOnly);
        Assert.True(Directory.Exists(side.HostPath));
        volumes.Remove("uid-1");
        Assert.False(Directory.Exists(Path.Combine(_root, "uid-1")));
    }

    // The kubelet's words when a volume cannot be set up.
    [Theory]
    [InlineData("volumes: [{name: cfg, configMap: {name: nope}}]", "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found")]
    [InlineData("volumes: [{name: cfg, secret: {secretName: nope}}]", "MountVolume.SetUp failed for volume \"cfg\" : secret \"nope\" not found")]
    [InlineData("volumes: [{name: cfg, configMap: {name: app-config, items: [{key: nope, path: x}]}}]", "MountVolume.SetUp failed for volume \"cfg\" : configmap references non-existent config key: nope")]
    [InlineData("volumes: [{name: cfg, hostPath: {path: /nonexistent-gateway-test, type: Directory}}]", "MountVolume.SetUp failed for volume \"cfg\" : hostPath type check failed: /nonexistent-gateway-test is not a directory")]
    [InlineData("volumes: [{name: cfg, hostPath: {path: /etc/hostname, type: Directory}}]", "MountVolume.SetUp failed for volume \"cfg\" : hostPath type check failed: /etc/hostname is not a directory")]
    public void Prepare_VolumeThatCannotBeMade_IsCreateContainerConfigError(string volumesYaml, string expected)
    {
        var error = Assert.Throws<ContainerStartException>(() =>
            new PodVolumes(_root).Prepare(Launch(volumesYaml + "\ncontainers: [{name: web, volumeMounts: [{name: cfg, mountPath: /x}]}]")));

        Assert.Equal(PodVolumes.CreateContainerConfigError, error.Reason);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Prepare_OptionalMissingConfigMap_IsAnEmptyFolder()
    {
        var bind = Assert.Single(new PodVolumes(_root).Prepare(Launch("volumes: [{name: cfg, configMap: {name: nope, optional: true}}]\ncontainers: [{name: web, volumeMounts: [{name: cfg, mountPath: /x}]}]")));

        Assert.Empty(Directory.EnumerateFileSystemEntries(bind.HostPath));
    }
}
