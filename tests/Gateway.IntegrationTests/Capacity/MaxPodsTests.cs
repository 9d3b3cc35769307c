using System.Diagnostics;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Capacity;

/// <summary>A real gateway as one node: <c>Gateway:MaxPods</c> bounds its pods, and any number of replicas leaves it stoppable.</summary>
public sealed class MaxPodsTests
{
    private const string TooManyPods = "0/1 nodes are available: 1 Too many pods.";

    private static bool Unschedulable(V1Pod pod) => pod.Status.Phase == "Pending"
        && pod.Status.Conditions.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable", Message: TooManyPods });

    [Fact]
    public async Task FiveReplicasAndMaxPodsThree_ThreeRunTwoWaitPendingUntilMaxPodsIsRaised()
    {
        var marker = Sleepers.NewMarker();
        var gateway = await GatewayProcess.StartAsync(Sleepers.Services(5, marker), gatewayJson: "\"MaxPods\": 3");
        await using var _ = gateway;

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 5 && p.Count(x => x.Status.Phase == "Running") == 3 && p.Count(Unschedulable) == 2, "3 Running and 2 Pending pods");

        // A container reported Running may still be in its namespace's setup shell, whose forks carry
        // the command line for a moment: the count settles within milliseconds.
        await Poll.UntilAsync(() => Task.FromResult(Sleepers.ProcessesWith(marker).Count == 3), $"3 sleep processes (now {Sleepers.ProcessesWith(marker).Count})");
        var pending = pods.Where(Unschedulable).Select(p => p.Metadata.Name).ToList();
        var events = await gateway.GetEventsAsync();
        Assert.All(pending, name => Assert.Contains(events, e => e.InvolvedObject.Name == name && e is { Type: "Warning", Reason: "FailedScheduling", Message: TooManyPods }));
        using var table = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default/pods");
        table.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        var rows = await (await gateway.Admin.SendAsync(table)).Content.ReadAsStringAsync();
        Assert.All(pending, name => Assert.Contains($"[\"{name}\",\"0/1\",\"Pending\",\"0\"", rows, StringComparison.Ordinal));
        using var log = await gateway.Admin.GetAsync($"/api/v1/namespaces/default/pods/{pending[0]}/log");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, log.StatusCode);
        Assert.Contains($"pod {pending[0]} does not have a host assigned", await log.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings(Sleepers.Services(5, marker), gateway.ProxyPort, gateway.AdminPort, "\"MaxPods\": 5"));

        await gateway.WaitForPodsAsync(p => p.Count == 5 && p.All(x => x.Status.Phase == "Running"), "5 Running pods after the reload");
        await Poll.UntilAsync(() => Task.FromResult(Sleepers.ProcessesWith(marker).Count == 5), $"5 sleep processes (now {Sleepers.ProcessesWith(marker).Count})");
        var later = await gateway.GetEventsAsync();
        Assert.All(pending, name => Assert.Contains(later, e => e.InvolvedObject.Name == name && e.Reason == "Scheduled"));
        Assert.Equal(0, await gateway.StopAsync());
        Assert.Empty(Sleepers.ProcessesWith(marker));
    }

    [Fact]
    public async Task HundredThousandReplicas_SigtermAFewSecondsIn_ExitsWithinTheGracePeriodAndLeavesNoProcess()
    {
        const int GracePeriodSeconds = 10;
        var marker = Sleepers.NewMarker();
        var gateway = await GatewayProcess.StartAsync(Sleepers.Services(100_000, marker, GracePeriodSeconds));
        await using var _ = gateway;

        // A few seconds in, pods are still being created and started.
        var pods = await gateway.WaitForPodsAsync(p => p.Count(x => x.Status.Phase == "Running") >= 30, "30 Running pods");
        var list = await gateway.Admin.GetStringAsync("/api/v1/namespaces/default/pods");
        Assert.InRange(pods.Count, 30, 110 + 100);
        Assert.True(list.Length < 2 * 1024 * 1024, $"the pod list is {list.Length} bytes");
        Assert.InRange(Sleepers.ProcessesWith(marker).Count, 30, 110);

        var stopping = Stopwatch.StartNew();
        var exitCode = await gateway.StopAsync(timeout: TimeSpan.FromSeconds(GracePeriodSeconds + 20));

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(GracePeriodSeconds), $"the gateway took {stopping.Elapsed} to stop:\n{gateway.Output}");
        Assert.Equal(0, exitCode);
        Assert.Empty(Sleepers.ProcessesWith(marker));
    }

    [Fact]
    public async Task HundredThousandReplicas_MoreThanMaxPodsAndPendingPods_SaidOnceAsFailedCreate()
    {
        var marker = Sleepers.NewMarker();
        var gateway = await GatewayProcess.StartAsync(Sleepers.Services(100_000, marker), gatewayJson: "\"MaxPods\": 2");
        await using var _ = gateway;

        var pods = await gateway.WaitForPodsAsync(p => p.Count(x => x.Status.Phase == "Running") == 2 && p.Count(Unschedulable) == 100, "2 Running and 100 Pending pods");

        Assert.Equal(102, pods.Count);
        await Poll.UntilAsync(async () => (await gateway.GetEventsAsync()).Any(e => e is { Reason: "FailedCreate", Type: "Warning" } && e.InvolvedObject.Kind == "ReplicaSet"), "a FailedCreate event");
        var failedCreate = (await gateway.GetEventsAsync()).Single(e => e.Reason == "FailedCreate");
        Assert.StartsWith("Error creating: pods \"sleepers-", failedCreate.Message, StringComparison.Ordinal);
        await Poll.UntilAsync(() => Task.FromResult(Sleepers.ProcessesWith(marker).Count == 2), $"2 sleep processes (now {Sleepers.ProcessesWith(marker).Count})");
    }
}
