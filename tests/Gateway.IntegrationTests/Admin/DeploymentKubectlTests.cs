using System.Net;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// The real kubectl operating a gateway's replicated service as a Deployment: reads, scale, delete
/// pod, rollout restart (under load, no request failing), status, history, undo, pause and resume,
/// and the rule that the settings file wins once the service's entry in it changes. The admin
/// listener is on https: kubectl sends its token only over TLS.
/// </summary>
public sealed class DeploymentKubectlTests
{
    private static string Web(int replicas, string probes = DemoService.Readiness) =>
        DemoService.Services(DemoService.Member("web", replicas, probes: probes, gracePeriodSeconds: 10));

    private static bool Active(V1Pod pod) => pod.Metadata.DeletionTimestamp is null;

    private static bool Ready(V1Pod pod) => pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static string Hash(V1Pod pod) => pod.Metadata.Labels["pod-template-hash"];

    private static async Task<GatewayProcess> StartAsync(int replicas, string? services = null)
    {
        var gateway = await GatewayProcess.StartAsync(services ?? Web(replicas), adminScheme: "https");
        await gateway.WaitForPodsAsync(p => p.Count == replicas && p.All(Ready), $"{replicas} ready pods");
        return gateway;
    }

    private static Task RewriteSettingsAsync(GatewayProcess gateway, string services) =>
        File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings(services, gateway.ProxyPort, gateway.AdminPort, adminScheme: "https"));

    private static Task<IList<V1Pod>> WaitForReadyAsync(GatewayProcess gateway, int count, Func<V1Pod, bool>? also = null) =>
        gateway.WaitForPodsAsync(p => p.Count(Active) == count && p.Where(Active).All(x => Ready(x) && (also?.Invoke(x) ?? true)), $"{count} ready pods", TimeSpan.FromSeconds(60));

    /// <summary>A kubectl run whose failure also shows what the gateway logged and its pods, for a rollout that did not finish.</summary>
    private static async Task<string> Diagnosed(GatewayProcess gateway, Task<string> kubectl)
    {
        try
        {
            return await kubectl;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var pods = string.Join("\n", (await gateway.GetPodsAsync()).Items.Select(p => $"{p.Metadata.Name} {p.Status.Phase} ready={Ready(p)} deleting={!Active(p)}"));
            var events = string.Join("\n", (await gateway.GetEventsAsync()).Select(v => $"{v.InvolvedObject.Name} {v.Reason}: {v.Message}"));
            throw new InvalidOperationException($"{e.Message}\npods:\n{pods}\nevents:\n{events}\ngateway output:\n{gateway.Output}", e);
        }
    }

    [Fact]
    public async Task GetScaleDeletePod_ThenTheFileEntryChanges_TheFileWins()
    {
        await using var gateway = await StartAsync(2);
        var kubeconfig = gateway.Kubeconfig;

        var deployments = await Kubectl.RunAsync(kubeconfig, "get", "deployments");
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n", deployments);
        Assert.Matches(@"\nweb\s+2/2\s+2\s+2\s+\d+s\n", deployments);
        Assert.Matches(@"NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nweb-\w+\s+2\s+2\s+2\s+\d+s\n", await Kubectl.RunAsync(kubeconfig, "get", "rs"));
        Assert.Matches(@"NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n", await Kubectl.RunAsync(kubeconfig, "get", "pods", "-o", "wide"));
        var yaml = await Kubectl.RunAsync(kubeconfig, "get", "deploy", "web", "-o", "yaml");
        foreach (var line in new[] { "gateway.io/spec-source: file", "deployment.kubernetes.io/revision: \"1\"", "reason: NewReplicaSetAvailable", "reason: MinimumReplicasAvailable", "observedGeneration: 1", "readyReplicas: 2" })
        {
            Assert.Contains(line, yaml, StringComparison.Ordinal);
        }

        Assert.Contains("web", await Kubectl.RunAsync(kubeconfig, "get", "deploy", "-l", "app=web"), StringComparison.Ordinal);
        Assert.Contains("No resources found", await Kubectl.RunAsync(kubeconfig, "get", "deploy", "-l", "app in (other)"), StringComparison.Ordinal);
        var pod = (await gateway.GetPodsAsync()).Items[0];
        Assert.Equal(("ReplicaSet", $"web-{Hash(pod)}"), (pod.Metadata.OwnerReferences.Single().Kind, pod.Metadata.OwnerReferences.Single().Name));

        Assert.Contains("deployment.apps/web scaled", await Kubectl.RunAsync(kubeconfig, "scale", "deploy/web", "--replicas=3"), StringComparison.Ordinal);
        await WaitForReadyAsync(gateway, 3);
        Assert.Equal("3 api", await Kubectl.RunAsync(kubeconfig, "get", "deploy", "web", "-o", @"jsonpath={.spec.replicas} {.metadata.annotations.gateway\.io/spec-source}"));

        // Bad input is the API server's 422 naming the field, and changes nothing.
        using var negative = new StringContent("""{"spec":{"replicas":-1}}""", Encoding.UTF8, "application/merge-patch+json");
        var refused = await AdminStatus.ReadAsync(await gateway.Admin.PatchAsync("/apis/apps/v1/namespaces/default/deployments/web/scale", negative), HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal("Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0", (string?)refused["message"]);
        using var strategy = new StringContent("""{"spec":{"strategy":{"type":"Recreate"}}}""", Encoding.UTF8, "application/merge-patch+json");
        var forbidden = await AdminStatus.ReadAsync(await gateway.Admin.PatchAsync("/apis/apps/v1/namespaces/default/deployments/web", strategy), HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal("spec.strategy", (string?)forbidden["details"]!["causes"]![0]!["field"]);

        // delete pod: drained, then replaced by the service.
        var deleted = (await gateway.GetPodsAsync()).Items.First(Active).Metadata.Name;
        Assert.Contains($"pod \"{deleted}\" deleted", await Kubectl.RunAsync(kubeconfig, "delete", "pod", deleted), StringComparison.Ordinal);
        await WaitForReadyAsync(gateway, 3, p => p.Metadata.Name != deleted);

        // The file is the desired state: an edit of the service's entry drops the API's scale.
        await RewriteSettingsAsync(gateway, Web(1));
        await WaitForReadyAsync(gateway, 1);
        Assert.Equal("1 file", await Kubectl.RunAsync(kubeconfig, "get", "deploy", "web", "-o", @"jsonpath={.spec.replicas} {.metadata.annotations.gateway\.io/spec-source}"));
        Assert.Contains(await gateway.GetEventsAsync(), e => e.Reason == "SpecFromFile" && e.InvolvedObject.Kind == "Deployment");
    }

    [Fact]
    public async Task RolloutRestartUnderLoad_NoRequestFails_ThenUndoGoesBack()
    {
        await using var gateway = await StartAsync(3);
        var kubeconfig = gateway.Kubeconfig;
        var original = Hash((await gateway.GetPodsAsync()).Items[0]);
        Assert.Contains("condition met", await Kubectl.RunAsync(kubeconfig, "wait", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=30s"), StringComparison.Ordinal);

        await using (var load = new LoadGenerator(gateway.Proxy.BaseAddress!, clients: 8))
        {
            await load.WaitForMoreAsync(300);
            Assert.Contains("deployment.apps/web restarted", await Kubectl.RunAsync(kubeconfig, "rollout", "restart", "deploy/web"), StringComparison.Ordinal);
            Assert.Contains("successfully rolled out", await Diagnosed(gateway, Kubectl.RunAsync(kubeconfig, "rollout", "status", "deploy/web", "--timeout=80s")), StringComparison.Ordinal);
            await WaitForReadyAsync(gateway, 3, p => Hash(p) != original);
            await load.WaitForMoreAsync(200);
            var (sent, failed) = await load.StopAsync();
            Assert.True(sent > 100, $"only {sent} requests were sent");
            Assert.True(failed == 0, $"{failed} of {sent} requests failed:\n{load.FailureSample}");
        }

        var restarted = await Kubectl.RunAsync(kubeconfig, "get", "deploy", "web", "-o", "jsonpath={.spec.template.metadata.annotations}");
        Assert.Contains("kubectl.kubernetes.io/restartedAt", restarted, StringComparison.Ordinal);
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n", await Kubectl.RunAsync(kubeconfig, "rollout", "history", "deploy/web"));

        Assert.Contains("deployment.apps/web rolled back", await Kubectl.RunAsync(kubeconfig, "rollout", "undo", "deploy/web"), StringComparison.Ordinal);
        await Diagnosed(gateway, Kubectl.RunAsync(kubeconfig, "rollout", "status", "deploy/web", "--timeout=80s"));
        await WaitForReadyAsync(gateway, 3, p => Hash(p) == original);
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n", await Kubectl.RunAsync(kubeconfig, "rollout", "history", "deploy/web"));
        var (code, output) = await Kubectl.ExecAsync(kubeconfig, "rollout", "undo", "deploy/web", "--to-revision=99");
        Assert.True(code != 0, output);
        Assert.Contains("unable to find specified revision 99 in history", output, StringComparison.Ordinal);

        // Paused: the Deployment says so, and kubectl refuses a restart until it is resumed.
        await Kubectl.RunAsync(kubeconfig, "rollout", "pause", "deploy/web");
        Assert.Equal("true", await Kubectl.RunAsync(kubeconfig, "get", "deploy", "web", "-o", "jsonpath={.spec.paused}"));
        (code, output) = await Kubectl.ExecAsync(kubeconfig, "rollout", "restart", "deploy/web");
        Assert.True(code != 0 && output.Contains("paused", StringComparison.Ordinal), output);
        await Kubectl.RunAsync(kubeconfig, "rollout", "resume", "deploy/web");
        Assert.Equal("", await Kubectl.RunAsync(kubeconfig, "get", "deploy", "web", "-o", "jsonpath={.spec.paused}"));
    }

    [Fact]
    public async Task RolloutStatus_RolloutThatCannotFinish_NonZeroOnTimeoutAndTheOldPodServes()
    {
        await using var gateway = await StartAsync(1);
        var old = (await gateway.GetPodsAsync()).Items.Single();

        // A template whose pods never get ready: with maxUnavailable 0 of 1 the old pod stays.
        const string neverReady = """ "readinessProbe": { "httpGet": { "path": "/never", "port": "http" }, "periodSeconds": 1 } """;
        await RewriteSettingsAsync(gateway, Web(1, neverReady));
        await gateway.WaitForPodsAsync(p => p.Any(x => Hash(x) != Hash(old) && x.Status.Phase == "Running"), "the new pod running");

        var (code, output) = await Kubectl.ExecAsync(gateway.Kubeconfig, "rollout", "status", "deploy/web", "--timeout=1s");

        Assert.True(code != 0, output);
        Assert.Contains("Waiting for deployment \"web\" rollout to finish", output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Proxy.GetAsync("/")).StatusCode);
        Assert.Contains((await gateway.GetPodsAsync()).Items, p => p.Metadata.Name == old.Metadata.Name && Ready(p));
    }
}
