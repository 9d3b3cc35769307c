using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>
/// docs/semantics.md on real processes: sidecars, postStart, activeDeadlineSeconds and termination
/// messages, as a user sees them through the admin API.
/// </summary>
public sealed class ContainerLifecycleTests
{
    private static V1ContainerStatus Container(V1Pod pod, string name) => pod.Status.ContainerStatuses.Single(c => c.Name == name);

    private static V1ContainerStatus Init(V1Pod pod, string name) => pod.Status.InitContainerStatuses.Single(c => c.Name == name);

    private static string Sh(string script) => JsonSerializer.Serialize(new[] { "sh", "-c", script });

    private static async Task<(string Directory, string Marks)> ManifestAsync(string yaml)
    {
        var directory = Directory.CreateTempSubdirectory("gateway-lifecycle-").FullName;
        var marks = Directory.CreateDirectory(Path.Combine(directory, "marks")).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), yaml.Replace("MARKS", marks, StringComparison.Ordinal));
        return (directory, marks);
    }

    [Fact]
    public async Task Sidecar_StartsBeforeTheContainerKeepsRunningBesideItAndIsRestartedWhenItExitsEvenUnderNever()
    {
        // The sidecar's startup probe passes once it has written "up": the container, started only then,
        // fails at once if the file is missing. The sidecar's first instance exits 3 after a second.
        var (directory, _) = await ManifestAsync("""
            apiVersion: v1
            kind: Pod
            metadata: { name: with-sidecar }
            spec:
              restartPolicy: Never
              initContainers:
              - name: side
                restartPolicy: Always
                command: [ "sh", "-c", "touch MARKS/up; if [ -f MARKS/once ]; then exec sleep 600; fi; touch MARKS/once; sleep 1; exit 3" ]
                startupProbe: { exec: { command: [ "test", "-f", "MARKS/up" ] }, periodSeconds: 1 }
              containers:
              - name: main
                command: [ "sh", "-c", "test -f MARKS/up || exit 9; exec sleep 600" ]
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "sidecar": { "Manifest": "pod.yaml" } }""", directory);

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.InitContainerStatuses?.FirstOrDefault() is { RestartCount: >= 1, State.Running: not null, Started: true },
            "the sidecar restarted and running again");

        var pod = pods[0];
        Assert.Equal("Running", pod.Status.Phase);
        Assert.Equal(3, Init(pod, "side").LastState.Terminated.ExitCode);
        Assert.NotNull(Container(pod, "main").State.Running);
        Assert.Equal(0, Container(pod, "main").RestartCount);
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "Initialized").Status);
        Assert.True(Init(pod, "side").Ready);
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public async Task Sidecar_ContainerCompletes_SidecarStoppedAndThePodSucceeded()
    {
        var (directory, _) = await ManifestAsync("""
            apiVersion: v1
            kind: Pod
            metadata: { name: job }
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 5
              initContainers:
              - name: side
                restartPolicy: Always
                command: [ "sleep", "600" ]
              containers:
              - name: main
                command: [ "sh", "-c", "sleep 1; echo done" ]
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "job": { "Manifest": "pod.yaml" } }""", directory);

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Phase == "Succeeded", "the pod Succeeded");

        Assert.Equal(0, Container(pods[0], "main").State.Terminated.ExitCode);
        Assert.Equal(143, Init(pods[0], "side").State.Terminated.ExitCode);
        Assert.Equal(0, Init(pods[0], "side").RestartCount);
        Assert.True(Init(pods[0], "side").State.Terminated.FinishedAt >= Container(pods[0], "main").State.Terminated.FinishedAt);
    }

    [Fact]
    public async Task PostStart_BlocksRunningUntilItCompletes_AndAFailureIsFailedPostStartHookAKillAfterThePreStopHookAndARestart()
    {
        var (directory, marks) = await ManifestAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: hooked }
            spec:
              containers:
              - name: main
                command: [ "sleep", "600" ]
                lifecycle:
                  postStart: { exec: { command: {{Sh("sleep 1; touch MARKS/hooked")}} } }
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "failing.yaml"), $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: failing-hook }
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: main
                command: [ "sleep", "600" ]
                lifecycle:
                  postStart: { exec: { command: {{Sh("echo cannot; exit 1")}} } }
                  preStop: { exec: { command: {{Sh($"echo ran >> {marks}/prestop")}} } }
            """);
        await using var gateway = await GatewayProcess.StartAsync("""
            { "hooked": { "Manifest": "pod.yaml" }, "failing": { "Manifest": "failing.yaml", "Route": { "Path": "/failing/{**rest}" } } }
            """, directory);

        await gateway.WaitForPodsAsync(p => p.Any(x => x.Metadata.Name == "hooked" && Container(x, "main").State.Running is not null), "the hooked container running");
        Assert.True(File.Exists(Path.Combine(marks, "hooked")), "the container showed Running before its postStart hook completed");

        var pods = await gateway.WaitForPodsAsync(p => p.Any(x => x.Metadata.Name == "failing-hook" && Container(x, "main").RestartCount >= 1), "the failing hook's container restarted");
        var failing = Container(pods.Single(x => x.Metadata.Name == "failing-hook"), "main");
        Assert.NotEqual(0, failing.LastState.Terminated.ExitCode);
        var events = (await gateway.GetEventsAsync()).Where(e => e.InvolvedObject.Name == "failing-hook").ToList();
        Assert.Contains(events, e => e is { Reason: "FailedPostStartHook", Type: "Warning", Message: "PostStartHook failed" } && e.InvolvedObject.FieldPath == "spec.containers{main}");
        Assert.Contains(events, e => e is { Reason: "Killing", Message: "FailedPostStartHook" });

        // The kubelet's kill after a failed postStart runs the preStop hook before the stop signal.
        Assert.True(File.Exists(Path.Combine(marks, "prestop")), "the kill after the failed postStart ran no preStop hook");
        Assert.DoesNotContain(events, e => e.Reason == "FailedPreStopHook");
        Assert.Equal(143, failing.LastState.Terminated.ExitCode);
    }

    [Fact]
    public async Task ActiveDeadlineSeconds_PodFailedWithDeadlineExceededAndItsContainerStopped()
    {
        var (directory, _) = await ManifestAsync("""
            apiVersion: v1
            kind: Pod
            metadata: { name: deadline }
            spec:
              activeDeadlineSeconds: 2
              terminationGracePeriodSeconds: 5
              containers:
              - name: main
                command: [ "sleep", "600" ]
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "deadline": { "Manifest": "pod.yaml" } }""", directory);

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Phase == "Failed" && Container(p[0], "main").State.Terminated is not null,
            "the pod Failed and its container stopped");

        var pod = pods[0];
        Assert.Equal(("DeadlineExceeded", "Pod was active on the node longer than the specified deadline"), (pod.Status.Reason, pod.Status.Message));
        Assert.Equal(143, Container(pod, "main").State.Terminated.ExitCode);
        Assert.Equal(0, Container(pod, "main").RestartCount);
        Assert.True(Container(pod, "main").State.Terminated.FinishedAt - pod.Status.StartTime >= TimeSpan.FromSeconds(2));
        Assert.Contains(await gateway.GetEventsAsync(), e => e.InvolvedObject.Name == "deadline" && e.Reason == "DeadlineExceeded");
    }

    [Fact]
    public async Task TerminationMessage_FromTheInstancesFile_OrTheLogOnError_ShownInTheAdminApi()
    {
        var (directory, _) = await ManifestAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: messages }
            spec:
              restartPolicy: Never
              containers:
              - name: file
                command: {{Sh("echo \"bye from $POD_NAME\" > \"$TERMINATION_MESSAGE_PATH\"; exit 2")}}
              - name: logs
                terminationMessagePolicy: FallbackToLogsOnError
                command: {{Sh("echo first; echo last; exit 3")}}
              - name: quiet
                terminationMessagePolicy: FallbackToLogsOnError
                command: {{Sh("echo all good")}}
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "messages": { "Manifest": "pod.yaml" } }""", directory);

        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Phase == "Failed", "the pod Failed");
        var pod = await gateway.GetPodAsync("messages");

        Assert.Equal((2, "bye from messages\n"), (Container(pod!, "file").State.Terminated.ExitCode, Container(pod!, "file").State.Terminated.Message));
        Assert.Equal("first\nlast\n", Container(pod!, "logs").State.Terminated.Message);
        Assert.Null(Container(pod!, "quiet").State.Terminated.Message);
    }
}
