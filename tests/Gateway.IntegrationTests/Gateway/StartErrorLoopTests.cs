using System.Diagnostics;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>
/// A container whose command does not exist, on real processes: every attempt is a dead instance
/// (<c>StartError</c>, exit 128) counted in <c>restartCount</c>, restarted after the crash-loop back-off
/// (0, 10, 20 s ...), never in a hot loop.
/// </summary>
public sealed class StartErrorLoopTests
{
    private static V1ContainerStatus App(IList<V1Pod> pods) => pods.Single().Status.ContainerStatuses.Single(c => c.Name == "app");

    private static bool BackingOff(IList<V1Pod> pods, string delay) =>
        pods.Count == 1 && pods[0].Status.ContainerStatuses?.SingleOrDefault(c => c.Name == "app")?.State.Waiting is { Reason: "CrashLoopBackOff" } waiting
        && waiting.Message.StartsWith($"back-off {delay} restarting failed container=app ", StringComparison.Ordinal);

    [Fact]
    public async Task CommandNotFound_RestartCountGrows_CrashLoopBackOffGrowsAndAttemptsStayBounded()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-starterror-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata: {name: broken}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: app
                command: [/nonexistent/gateway-test-app]
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "broken": { "Manifest": "pod.yaml" } }""", directory);

        // The first attempt fails, the restart is immediate and fails too: then 10 s of back-off.
        var first = App(await gateway.WaitForPodsAsync(p => BackingOff(p, "10s"), "CrashLoopBackOff with a 10 s back-off", TimeSpan.FromSeconds(20)));
        var waited = Stopwatch.StartNew();
        var second = App(await gateway.WaitForPodsAsync(p => BackingOff(p, "20s"), "CrashLoopBackOff with a 20 s back-off", TimeSpan.FromSeconds(30)));

        Assert.Equal(1, first.RestartCount);
        Assert.Equal(2, second.RestartCount);
        Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(8), $"the third attempt came {waited.Elapsed.TotalSeconds:0.#} s after the second, not after a 10 s back-off");
        Assert.Equal(("StartError", 128), (second.LastState.Terminated.Reason, second.LastState.Terminated.ExitCode));
        Assert.Contains("gateway-test-app", second.LastState.Terminated.Message, StringComparison.Ordinal);
        Assert.Equal("Running", (await gateway.GetPodsAsync()).Items.Single().Status.Phase); // a policy that restarts keeps the pod Running

        // Three attempts so far, each a Failed event (aggregated by the recorder), and no more: no hot loop.
        var events = (await gateway.GetEventsAsync()).Where(e => e.InvolvedObject.Name == "broken").ToList();
        var failed = Assert.Single(events, e => e is { Reason: "Failed", Type: "Warning" } && e.Message.StartsWith("Error: failed to start container app: ", StringComparison.Ordinal));
        Assert.Equal(3, failed.Count);
        Assert.Contains(events, e => e is { Reason: "BackOff", Message: var m } && m.StartsWith("Back-off restarting failed container app in pod broken_default(", StringComparison.Ordinal));
    }
}
