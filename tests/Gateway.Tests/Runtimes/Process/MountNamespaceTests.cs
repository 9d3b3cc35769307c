using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Tests.Runtimes.Process;

public sealed class MountNamespaceTests
{
    private static readonly MountNamespaceHost Host = new(null, "/usr/bin/unshare", "/usr/bin/nsenter", "/usr/bin/mount", "/bin/mkdir", "/bin/touch", "/bin/sh");

    private static readonly MountNamespace Namespace = new(Host, "/tmp/gw/1/mount-stage", ["/tmp/gw/1", "/srv/state", "/tmp"]);

    private static string Script(IReadOnlyList<string> argv) => argv[Array.IndexOf(argv.ToArray(), "-c") + 1];

    [Fact]
    public void Spawn_NoVolumes_UnsharesAndExecsTheArgvInAFreshTmpWithTheGatewaysTmpFoldersBoundBack()
    {
        var spawned = Namespace.Spawn(["sh", "-c", "touch /tmp/healthy"], [], _ => false, _ => true);

        Assert.Equal("/usr/bin/unshare", spawned.Program);
        Assert.Same(Namespace, spawned.Namespace);
        Assert.Equal(["/usr/bin/unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c"], spawned.Argv.Take(7));
        Assert.Equal(["sh", "sh", "-c", "touch /tmp/healthy"], spawned.Argv.Skip(8));
        // Only /tmp/gw/1 is under /tmp: /srv/state is not hidden, and /tmp itself is never bound back.
        Assert.Equal("""
            set -e
            /usr/bin/mount -t tmpfs -o mode=1777 tmpfs '/tmp/gw/1/mount-stage'
            /bin/mkdir -p '/tmp/gw/1/mount-stage/gw/1'
            /usr/bin/mount --bind '/tmp/gw/1' '/tmp/gw/1/mount-stage/gw/1'
            /usr/bin/mount --move '/tmp/gw/1/mount-stage' /tmp
            exec "$@"
            """, Script(spawned.Argv));
    }

    [Fact]
    public void Spawn_Binds_ElsewhereFirstThenUnderTmpShortestFirst_ReadOnlyRemounted_FilesOntoFiles()
    {
        var binds = new List<VolumeBind>
        {
            new("cache", "/tmp/gw/1/volumes/uid/cache", "/tmp/cache/inner", false),
            new("config", "/tmp/gw/1/volumes/uid/config", "/etc/app/", true),
            new("one", "/tmp/gw/1/volumes/uid/secret/key", "/tmp/key", true),
            new("top", "/tmp/gw/1/volumes/uid/top", "/tmp/cache", false),
        };
        var plain = new MountNamespace(Host, "/s", []);

        var script = Script(plain.Spawn(["app"], binds, source => source.EndsWith("/key", StringComparison.Ordinal), _ => true).Argv);

        Assert.Equal("""
            set -e
            /usr/bin/mount -t tmpfs -o mode=1777 tmpfs '/s'
            /usr/bin/mount --bind '/tmp/gw/1/volumes/uid/config' '/etc/app'
            /usr/bin/mount -o remount,bind,ro '/etc/app'
            /bin/mkdir -p '/s'
            /bin/touch '/s/key'
            /usr/bin/mount --bind '/tmp/gw/1/volumes/uid/secret/key' '/s/key'
            /usr/bin/mount -o remount,bind,ro '/s/key'
            /bin/mkdir -p '/s/cache'
            /usr/bin/mount --bind '/tmp/gw/1/volumes/uid/top' '/s/cache'
            /bin/mkdir -p '/s/cache/inner'
            /usr/bin/mount --bind '/tmp/gw/1/volumes/uid/cache' '/s/cache/inner'
            /usr/bin/mount --move '/s' /tmp
            exec "$@"
            """, script);
    }

    [Fact]
    public void Spawn_AMountPathOutsideTmpThatTheHostHasNot_IsACreateContainerConfigErrorNamingItAndTheFix()
    {
        var error = Assert.Throws<ContainerStartException>(() =>
            Namespace.Spawn(["app"], [new VolumeBind("data", "/tmp/gw/1/volumes/uid/data", "/data", false)], _ => false, path => path != "/data"));

        Assert.Equal(PodVolumes.CreateContainerConfigError, error.Reason);
        Assert.Contains("volume \"data\": mountPath /data does not exist on this host", error.Message, StringComparison.Ordinal);
        Assert.Contains("create /data on the host, or mount the volume under /tmp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spawn_WithoutPrivateTmp_BindsOnTheHostsPathsAndMountsNoTmpfs()
    {
        var script = Script(Namespace.Spawn(["app"], [new VolumeBind("data", "/srv/v/data", "/tmp/data", false)], _ => false, _ => true, privateTmp: false).Argv);

        Assert.Equal("""
            set -e
            /usr/bin/mount --bind '/srv/v/data' '/tmp/data'
            exec "$@"
            """, script);
    }

    [Theory]
    [InlineData("/usr/bin/dotnet", "/tmp/co/artifacts/app/App.dll", "", "/tmp/co/artifacts/app")] // a program's files are beside it
    [InlineData("/tmp/co/bin/app", "--flag", "", "/tmp/co/bin")]
    [InlineData("/usr/bin/dotnet", "/tmp/co/config/../artifacts/App.dll", "", "/tmp/co/artifacts")] // as the kernel resolves it
    [InlineData("/bin/sh", "/tmp/co/data", "", "/tmp/co/data")] // a folder: itself
    [InlineData("/bin/sh", "/tmp/loose.sh", "", "/tmp/loose.sh")] // straight in /tmp: the file alone, never all of /tmp
    [InlineData("/bin/sh", "/tmp/healthy", "", "")] // not there (the seed's file, gone at restart): nothing
    [InlineData("/bin/sh", "/var/lib/x", "/tmp/co/work", "/tmp/co/work")] // the working folder; paths outside /tmp need nothing
    [InlineData("/bin/sh", "relative/App.dll", "", "")]
    public void NamedPaths_WhatTheCommandLineNamesUnderTmp_IsKept(string program, string argument, string workingDirectory, string expected)
    {
        string[] files = ["/tmp/co/artifacts/app/App.dll", "/tmp/co/bin/app", "/tmp/co/artifacts/App.dll", "/tmp/loose.sh", "/var/lib/x", "/usr/bin/dotnet", "/bin/sh"];
        string[] folders = ["/tmp/co/data", "/tmp/co/work"];

        var kept = MountNamespace.NamedPaths(program, [program, argument], workingDirectory, files.Contains, folders.Contains);

        Assert.Equal(expected.Length == 0 ? [] : [expected], kept);
    }

    [Fact]
    public void Quote_AnyPath_IsOneShellWord()
    {
        Assert.Equal("'/tmp/it'\\''s here'", MountNamespace.Quote("/tmp/it's here"));
        Assert.Equal("'$(rm -rf /)'", MountNamespace.Quote("$(rm -rf /)"));
    }

    [Theory]
    [InlineData("/tmp", "")]
    [InlineData("/tmp/", "")]
    [InlineData("/tmp/a/b", "a/b")]
    [InlineData("/tmpfoo", null)]
    [InlineData("/data", null)]
    public void UnderTmp_IsThePathBelowTmp(string path, string? expected) => Assert.Equal(expected, MountNamespace.UnderTmp(path));

    [Fact]
    public void Enter_RunsTheCommandInTheTargetsMountNamespaceAndWorkingFolder() =>
        Assert.Equal(["/usr/bin/nsenter", "--mount", "--target", "4242", "--wd", "--", "cat", "/tmp/healthy"], Namespace.Enter(4242, ["cat", "/tmp/healthy"]));

    [Fact]
    public void RefuseWithoutMountNamespace_APodWithVolumes_IsForbiddenAtSpecVolumesWithTheReasonAndTheFixes()
    {
        var spec = new V1PodSpec { Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }], Containers = [new V1Container { Name = "web" }] };
        var errors = new List<FieldError>();

        VolumeValidator.RefuseWithoutMountNamespace(spec, "Gateway.Services.web.Template.spec", "the gateway runs neither as root nor with CAP_SYS_ADMIN", errors);

        var error = Assert.Single(errors);
        Assert.StartsWith("Gateway.Services.web.Template.spec.volumes: Forbidden: the Process runtime mounts volumes in a private mount namespace, which this host does not allow " +
            "(the gateway runs neither as root nor with CAP_SYS_ADMIN); run the gateway as root", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"Runtime\": \"Docker\"", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RefuseWithoutMountNamespace_AllowedHostOrNoVolumes_NoError()
    {
        var withVolumes = new V1PodSpec { Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }], Containers = [new V1Container { Name = "web" }] };
        var without = new V1PodSpec { Containers = [new V1Container { Name = "web" }] };
        var errors = new List<FieldError>();

        VolumeValidator.RefuseWithoutMountNamespace(withVolumes, "spec", hostProblem: null, errors);
        VolumeValidator.RefuseWithoutMountNamespace(without, "spec", "no unshare", errors);

        Assert.Empty(errors);
    }
}
