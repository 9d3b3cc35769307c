using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>The real kubectl against the gateway: selectors, describe, watch, and the writes it refuses.</summary>
public sealed class KubectlSelectorTests(KubectlGateway fixture) : IClassFixture<KubectlGateway>
{
    private GatewayProcess Gateway => fixture.Gateway;

    [SkippableTheory]
    [InlineData("app=web")]
    [InlineData("tier in (demo)")]
    [InlineData("tier,app!=other")]
    public async Task GetPods_LabelSelector_OnlyTheWebPods(string selector)
    {
        var output = await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "pods", "-l", selector, "-o", "name");

        Assert.Equal(fixture.WebPods.Select(p => $"pod/{p}").Order(StringComparer.Ordinal), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task GetPods_LabelSelectorMatchingNothing_NoResourcesFound() =>
        Assert.Contains("No resources found in default namespace.", await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "pods", "-l", "app=nothing"), StringComparison.Ordinal);

    [SkippableFact]
    public async Task GetPods_FieldSelectors_AsTheApiServer()
    {
        var running = await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "pods", "--field-selector", "status.phase=Running,spec.nodeName=gateway", "-o", "name");
        Assert.Equal(3, running.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal($"pod/{fixture.OtherPod}", (await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "pods", "--field-selector", $"metadata.name={fixture.OtherPod}", "-o", "name")).Trim());
        Assert.Contains("No resources found", await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "pods", "--field-selector", "status.phase=Pending"), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("--field-selector", "spec.containers=web", "Error from server (BadRequest)", "field label not supported: spec.containers")]
    [InlineData("-l", "tier in (demo", "Error from server (BadRequest)", "unable to parse requirement")]
    public async Task GetPods_BadSelector_400WithTheMessage(string flag, string selector, string error, string message)
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "get", "pods", flag, selector);

        Assert.Equal(1, exitCode);
        Assert.Contains(error, output, StringComparison.Ordinal);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task GetEvents_InvolvedObjectFieldSelector_OnlyThatPodsEvents()
    {
        var pod = fixture.WebPods[0];

        var output = await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "events", "--field-selector", $"involvedObject.name={pod},involvedObject.kind=Pod");

        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Contains(rows, r => r.Contains("Started container web", StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Contains($"pod/{pod} ", r, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task DescribePod_ConditionsContainerStateProbesAndOnlyItsEvents()
    {
        var pod = fixture.WebPods[0];

        var output = await Kubectl.RunAsync(Gateway.Kubeconfig, "describe", "pod", pod);

        Assert.Matches($"(?m)^Name: +{pod}$", output);
        Assert.Matches("(?m)^Node: +gateway/127.0.0.1$", output);
        Assert.Matches("(?m)^Status: +Running$", output);
        Assert.Matches("(?m)^ +tier=demo$", output);
        Assert.Matches("(?m)^ +State: +Running$", output);
        Assert.Matches("(?m)^ +Ready: +True$", output);
        Assert.Matches("(?m)^ +Restart Count: +0$", output);
        Assert.Matches(@"(?m)^ +Readiness: +http-get http://:8080/readyz delay=0s timeout=1s period=1s #success=1 #failure=3$", output);
        Assert.Matches("(?m)^ +Ready +True $", output);
        Assert.Matches("(?m)^ +ContainersReady +True $", output);
        var events = output[output.IndexOf("\nEvents:", StringComparison.Ordinal)..];
        Assert.Matches("(?m)^ +Normal +Started +.* +gateway +Started container web$", events);
        Assert.Contains($"Successfully assigned default/{pod} to gateway", events, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.WebPods[1], events, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.OtherPod, events, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Create_APodManifest_405WithWhatToDoInstead()
    {
        var manifest = Path.Combine(Path.GetDirectoryName(Gateway.SettingsPath)!, "pod.yaml");
        await File.WriteAllTextAsync(manifest, "apiVersion: v1\nkind: Pod\nmetadata: { name: extra }\nspec: { containers: [ { name: web, image: nginx } ] }\n");

        foreach (var verb in (string[])["create", "apply"])
        {
            var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, verb, "-f", manifest);

            Assert.True(exitCode == 1, output);
            Assert.Contains($"Error from server (MethodNotAllowed): error when creating \"{manifest}\": the server does not allow this method on the requested resource: the gateway makes its pods from the services of its settings file", output, StringComparison.Ordinal);
        }

        Assert.Contains("(NotFound)", (await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "get", "pod", "extra")).Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task LabelPodOrDeleteEvent_405NeverNotFound()
    {
        var label = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "label", "pod", fixture.OtherPod, "x=y");
        Assert.Equal(1, label.ExitCode);
        Assert.Contains($"Error from server (MethodNotAllowed): the server does not allow this method on the requested resource: pod \"{fixture.OtherPod}\" is made from its service's template", label.Output, StringComparison.Ordinal);

        var e = (await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "events", "-o", "name")).Split('\n')[0];
        var delete = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "delete", e);
        Assert.Equal(1, delete.ExitCode);
        Assert.Contains("Error from server (MethodNotAllowed): the server does not allow this method on the requested resource: events are recorded by the gateway", delete.Output, StringComparison.Ordinal);
        await Kubectl.RunAsync(Gateway.Kubeconfig, "get", e);
    }

    [SkippableFact]
    public async Task Create_WithoutTheToken_401()
    {
        using var anonymous = new HttpClient(Gateway.AdminHandler()) { BaseAddress = Gateway.AdminUrl };

        var response = await anonymous.PostAsync("/api/v1/namespaces/default/pods", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        await AdminStatus.ReadAsync(response, System.Net.HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [SkippableFact]
    public async Task GetPodsWatch_ReadinessFailsRecoversAndTheContainerIsKilled_ModifiedLinesAsTheyHappen()
    {
        var pod = fixture.OtherPod;
        await using var pods = KubectlWatch.Start(Gateway.Kubeconfig, "get", "pods", "-w", "--output-watch-events", "-l", "app=other");
        await using var events = KubectlWatch.Start(Gateway.Kubeconfig, "get", "events", "-w", "--field-selector", $"involvedObject.name={pod}");
        await pods.WaitForAsync($@"^EVENT +NAME +READY +STATUS +RESTARTS +AGE$");
        await pods.WaitForAsync($@"^ADDED +{pod} +1/1 +Running +0 ");
        await events.WaitForAsync(@"^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$");
        var port = (await Gateway.GetPodAsync(pod))!.Spec.Containers[0].Ports[0].HostPort;
        using var direct = new HttpClient();

        (await direct.PostAsync($"http://127.0.0.1:{port}/admin/fail-readiness", null)).EnsureSuccessStatusCode();
        await pods.WaitForAsync($@"^MODIFIED +{pod} +0/1 +Running +0 ");
        await events.WaitForAsync($@"Warning +Unhealthy +pod/{pod} +Readiness probe failed: HTTP probe failed with statuscode: 503");
        (await direct.PostAsync($"http://127.0.0.1:{port}/admin/recover", null)).EnsureSuccessStatusCode();
        await pods.WaitForAsync($@"^MODIFIED +{pod} +1/1 +Running +0 ");

        // The container killed: the kubelet's restart shows as the restart count.
        GatewayProcess.Signal(GatewayProcess.ProcessIdOf((await Gateway.GetPodAsync(pod))!.Status.ContainerStatuses[0]), "KILL");
        await pods.WaitForAsync($@"^MODIFIED +{pod} +\d/1 +\S+ +1 \(");

        Assert.DoesNotContain(fixture.WebPods[0], pods.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Error from server", pods.Output + events.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error:", pods.Output + events.Output, StringComparison.Ordinal);
    }
}
