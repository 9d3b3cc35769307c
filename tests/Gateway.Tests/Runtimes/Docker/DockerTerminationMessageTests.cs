using Gateway.Runtimes;
using Gateway.Runtimes.Docker;
using k8s.Models;

namespace Gateway.Tests.Runtimes.Docker;

public sealed class DockerTerminationMessageTests
{
    private static ContainerLaunch Launch(string? messageFile, string? messagePath) => new()
    {
        Namespace = "default",
        PodName = "web-1",
        PodUid = "u1",
        ServiceName = "web",
        Container = new V1Container { Name = "app", Image = "busybox:local", TerminationMessagePath = messagePath },
        Argv = [],
        Environment = new Dictionary<string, string>(),
        Ports = [],
        TerminationMessageFile = messageFile,
    };

    [Theory]
    [InlineData("/state/termination/web-1/app/0", "/dev/termination-log")]
    [InlineData("/state/termination/web-1/app/3", "/tmp/custom-message")]
    public void MountFor_MessageFile_BindsItWritableAtTheTerminationMessagePath(string file, string path)
    {
        var mount = DockerTerminationMessage.MountFor(Launch(file, path));

        Assert.Equal(("bind", file, path, false), (mount?.Type, mount?.Source, mount?.Target, mount?.ReadOnly));
    }

    [Theory]
    [InlineData(null, "/dev/termination-log")]
    [InlineData("/state/termination/web-1/app/0", null)]
    [InlineData("/state/termination/web-1/app/0", "")]
    public void MountFor_NoFileOrNoPath_NoMount(string? file, string? path) => Assert.Null(DockerTerminationMessage.MountFor(Launch(file, path)));
}
