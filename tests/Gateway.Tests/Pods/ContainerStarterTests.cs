using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Tests.Fakes;
using k8s.Models;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class ContainerStarterTests
{
    private readonly PodHarness _harness = new();

    [Fact]
    public async Task Start_RuntimeAnswers_ReportsTheInstanceWithTheEnvironmentItWasLaunchedWith()
    {
        var container = Container("app");
        container.Args = ["--port", "$(PORT)"];
        container.Env = [new V1EnvVar { Name = "GREETING", Value = "hi from $(POD_NAME)" }];
        var pod = PodHarness.Pod(container);

        var running = await _harness.StartAsync(pod, "app");

        var launch = Assert.Single(_harness.Runtime.Instances).Launch;
        Assert.Equal(("app", "i1"), (running.Name, running.Instance.Id));
        Assert.Same(launch.Environment, running.Target.Environment);
        Assert.Equal(("31000", "hi from web-abc-xyz12", "/config"), (launch.Environment["PORT"], launch.Environment["GREETING"], launch.Environment["GATEWAY_CONFIG_DIR"]));
        Assert.Equal(["app", "--port", "31000"], launch.Argv);
        Assert.Equal((pod.PodIp, 31000), (running.Target.PodIp, running.Target.ResolvePort("http")));
        Assert.Equal((0, "web", "abc"), (launch.RestartCount, launch.ServiceName, launch.TemplateHash));
    }

    [Fact]
    public async Task Start_AfterEarlierInstances_LaunchCountsThem()
    {
        var pod = PodHarness.Pod(Container("app"));
        pod = pod.With(pod.Containers[0] with { InstancesStarted = 3 });

        await _harness.StartAsync(pod, "app");

        Assert.Equal(3, Assert.Single(_harness.Runtime.Instances).Launch.RestartCount);
    }

    [Fact]
    public async Task Start_RuntimeCannotStartIt_PostsContainerStartFailed()
    {
        _harness.Runtime.FailStarts("app");

        _harness.Starter().Start(PodHarness.Pod(Container("app")), "app");
        var failed = (await _harness.WaitForPostedAsync<PodEvent.ContainerStartFailed>())[0];

        Assert.Equal(new PodEvent.ContainerStartFailed("app", "no such program: app", ContainerStartException.StartError), failed);
    }

    [Fact]
    public async Task Start_InstanceExits_PostsContainerExited()
    {
        var running = await _harness.StartAsync(PodHarness.Pod(Container("app")), "app");

        _harness.Runtime.Instances[0].Exit(3);
        var exited = (await _harness.WaitForPostedAsync<PodEvent.ContainerExited>())[0];

        Assert.Equal(new PodEvent.ContainerExited("app", running.Instance.Id, 3, "Error", null), exited);
    }

    [Fact]
    public async Task Adopt_InstanceOfAnEarlierGateway_GetsTheContainersEnvironmentAndIsWatched()
    {
        var pod = PodHarness.Pod(Container("app"));
        var started = await _harness.StartAsync(pod, "app");
        var leftOver = await _harness.Runtime.StartAsync(((InMemoryRuntime.Instance)started.Instance).Launch, CancellationToken.None);

        var adopted = _harness.Starter().Adopt(pod, new AdoptedContainer("app", leftOver, RestartCount: 2, StartedAt: T0));
        ((InMemoryRuntime.Instance)leftOver).Exit(0);
        var exited = (await _harness.WaitForPostedAsync<PodEvent.ContainerExited>())[0];

        Assert.Same(leftOver, adopted.Instance);
        Assert.Equal(started.Target.Environment, adopted.Target.Environment);
        Assert.Equal(new PodEvent.ContainerExited("app", "i2", 0, "Completed", null), exited);
    }

    [Fact]
    public async Task CancelAll_StartUnderWay_IsCancelledAndHandedOverWithWhatItStarted()
    {
        _harness.Runtime.HoldStarts = true;
        var starter = _harness.Starter();
        starter.Start(PodHarness.Pod(Container("app")), "app");
        await _harness.Runtime.WaitForHeldStartsAsync(1);

        var start = Assert.Single(starter.CancelAll());
        var answered = await start.WaitAsync(TestSupport.ConditionSignal.SafetyNet);

        Assert.True(_harness.Runtime.HeldStartsCancelled);
        Assert.Equal("i1", answered?.Instance.Id);
    }
    [Fact]
    public async Task Start_WithPostStart_ReportedStartedOnlyAfterTheHookRan()
    {
        var container = Container("app");
        container.Lifecycle = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["warm", "$(POD_NAME)"] } } };

        var running = await _harness.StartAsync(PodHarness.Pod(container), "app");

        var exec = Assert.Single(((InMemoryRuntime.Instance)running.Instance).Execs);
        Assert.Equal(["warm", "web-abc-xyz12"], exec.Command);
        Assert.Empty(_harness.Posted.OfType<PodEvent.PostStartHookFailed>());
    }

    [Fact]
    public async Task Start_PostStartFails_InstanceStoppedWithThePodGraceAndPostStartHookFailedPosted()
    {
        _harness.Runtime.ExecResult = new ExecResult(1, "cannot", TimedOut: false);
        var container = Container("app");
        container.Lifecycle = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["warm"] } } };
        var pod = PodHarness.Pod(container);

        _harness.Starter().Start(pod, "app");
        var failed = (await _harness.WaitForPostedAsync<PodEvent.PostStartHookFailed>())[0];

        Assert.Equal(new PodEvent.PostStartHookFailed("app", "i1", T0, 137, "Error", null), failed);
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(_harness.Runtime.Stops).GracePeriod);
        Assert.Empty(_harness.Posted.OfType<PodEvent.ContainerExited>());
        Assert.Equal(
            [("Normal", "Created", "Created container app"), ("Normal", "Started", "Started container app"),
                ("Warning", "FailedPostStartHook", "PostStartHook failed"), ("Normal", "Killing", "FailedPostStartHook"),
                ("Normal", "Stopped", "Stopped container app: drain 0s, preStop 0s, stop signal at 0s with 30s before SIGKILL, exited 0s after it with code 137")],
            _harness.Events.Snapshot.Select(e => (e.Type, e.Reason, e.Message)));
        Assert.All(_harness.Events.Snapshot, e => Assert.Equal("spec.containers{app}", e.FieldPath));
    }

    [Fact]
    public async Task Start_PostStartFails_KilledAsTheKubeletKillsWithThePreStopHookFirst()
    {
        // Both hooks fail (the fake answers every exec alike): the preStop's event follows the kill's.
        _harness.Runtime.ExecResult = new ExecResult(1, "cannot", TimedOut: false);
        var container = Container("app");
        container.Lifecycle = new V1Lifecycle
        {
            PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["warm"] } },
            PreStop = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["flush"] } },
        };
        var pod = PodHarness.Pod(container);
        pod.Spec.TerminationGracePeriodSeconds = 12;

        _harness.Starter().Start(pod, "app");
        await _harness.WaitForPostedAsync<PodEvent.PostStartHookFailed>();

        var instance = Assert.Single(_harness.Runtime.Instances);
        Assert.Equal([["warm"], ["flush"]], instance.Execs.Select(e => e.Command));
        Assert.Equal(TimeSpan.FromSeconds(12), instance.Execs[1].Timeout);
        Assert.Equal(TimeSpan.FromSeconds(12), Assert.Single(_harness.Runtime.Stops).GracePeriod);
        Assert.Equal(
            ["Created", "Started", "FailedPostStartHook", "Killing", "FailedPreStopHook", "Stopped"],
            _harness.Events.Snapshot.Select(e => e.Reason));
    }

    [Fact]
    public async Task Start_ProcessRuntime_GivesAFreshMessageFileWhoseTextBecomesTheTerminationMessage()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-messages-").FullName;
        try
        {
            var context = _harness.Context with { TerminationMessageDirectory = directory };
            var starter = new ContainerStarter(context, "/config", _harness.Post, _ => { }, (_, failed) => _harness.Post(failed));
            var pod = PodHarness.Pod(Container("app"));
            pod = pod.With(pod.Containers[0] with { InstancesStarted = 2 });

            starter.Start(pod, "app");
            var instance = (await _harness.Runtime.WaitForInstancesAsync(1))[0];
            var file = instance.Launch.Environment["TERMINATION_MESSAGE_PATH"];
            Assert.Equal(Path.Combine(directory, pod.Name, "app", "2"), file);
            Assert.Equal(0, new FileInfo(file).Length);
            await File.WriteAllTextAsync(file, "migrations failed");
            instance.Exit(1);
            var exited = (await _harness.WaitForPostedAsync<PodEvent.ContainerExited>())[0];

            Assert.Equal("migrations failed", exited.Message);
            ContainerStarter.RemoveMessageFiles(context, pod.Name);
            Assert.False(Directory.Exists(Path.Combine(directory, pod.Name)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_DockerRuntime_AWorldWritableMessageFileForTheBindMountWhoseTextBecomesTheTerminationMessage()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-messages-").FullName;
        try
        {
            var context = _harness.Context with { TerminationMessageDirectory = directory };
            var starter = new ContainerStarter(context, "/config", _harness.Post, _ => { }, (_, failed) => _harness.Post(failed));
            var pod = PodHarness.Pod(Container("app")) with { Runtime = Gateway.Specs.RuntimeKind.Docker };

            starter.Start(pod, "app");
            var instance = (await _harness.Runtime.WaitForInstancesAsync(1))[0];
            var file = instance.Launch.TerminationMessageFile;
            Assert.Equal(Path.Combine(directory, pod.Name, "app", "0"), file);
            Assert.False(instance.Launch.Environment.ContainsKey("TERMINATION_MESSAGE_PATH"));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite,
                    File.GetUnixFileMode(file!));
            }

            await File.WriteAllTextAsync(file!, "written through the bind mount");
            instance.Exit(1);
            var exited = (await _harness.WaitForPostedAsync<PodEvent.ContainerExited>())[0];

            Assert.Equal("written through the bind mount", exited.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
