using Gateway.IntegrationTests.Admin;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Runtimes;

/// <summary>
/// The Process runtime's private mount namespace on real processes: volumes at their mountPath, a
/// fresh /tmp per container instance, exec probes and <c>kubectl exec</c> inside the namespace.
/// Needs a host that allows mount namespaces (root, util-linux): skipped elsewhere.
/// </summary>
public sealed class ProcessVolumesTests
{
    private static V1ContainerStatus Container(V1Pod pod, string name) => pod.Status.ContainerStatuses.Single(c => c.Name == name);

    private static void SkipUnlessMountNamespaces() =>
        Skip.IfNot(Environment.IsPrivilegedProcess && File.Exists("/usr/bin/unshare") && File.Exists("/usr/bin/nsenter"), "needs root and util-linux's unshare and nsenter");

    private static Task<string> LogAsync(GatewayProcess gateway, string pod, string container, bool previous = false) =>
        gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{pod}/log?container={container}{(previous ? "&previous=true" : "")}");

    [SkippableFact]
    public async Task Volumes_AreMountedAtTheirPaths_TmpIsPrivate_AndExecSeesTheContainersMounts()
    {
        SkipUnlessMountNamespaces();
        var directory = Directory.CreateTempSubdirectory("gateway-volumes-").FullName;
        var host = Directory.CreateDirectory(Path.Combine(directory, "host")).FullName;
        await File.WriteAllTextAsync(Path.Combine(host, "from-host"), "host-content\n");
        var hostTmpMarker = $"/tmp/gateway-volumes-private-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: settings }
            data: { greeting: hello-from-configmap }
            ---
            apiVersion: v1
            kind: Secret
            metadata: { name: creds }
            stringData: { password: s3cret }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: vols }
            spec:
              volumes:
              - { name: shared, emptyDir: {} }
              - { name: config, configMap: { name: settings, defaultMode: 0600 } }
              - { name: secret, secret: { secretName: creds } }
              - { name: host, hostPath: { path: {{host}}, type: Directory } }
              containers:
              - name: writer
                command: [ "sh", "-c", "echo shared-note > /mnt/note; touch {{hostTmpMarker}}; exec sleep 600" ]
                volumeMounts: [ { name: shared, mountPath: /mnt } ]
              - name: reader
                command: [ "sh", "-c", "until [ -f /tmp/shared/note ]; do sleep 0.1; done; cat /tmp/shared/note; cat /tmp/etc-config/greeting; echo; stat -c 'config %a' /tmp/etc-config/greeting; cat /tmp/secret/password; echo; stat -c 'secret %a' /tmp/secret/password; cat /tmp/host/from-host; touch /tmp/host/ro 2>/dev/null || echo hostPath-read-only; [ -e {{hostTmpMarker}} ] || echo no-writer-tmp; echo mine > /tmp/mine; echo done; exec sleep 600" ]
                readinessProbe: { exec: { command: [ "cat", "/tmp/mine" ] }, periodSeconds: 1 }
                volumeMounts:
                - { name: shared, mountPath: /tmp/shared }
                - { name: config, mountPath: /tmp/etc-config }
                - { name: secret, mountPath: /tmp/secret }
                - { name: host, mountPath: /tmp/host, readOnly: true }
            """);
        try
        {
            await using var gateway = await GatewayProcess.StartAsync("""{ "vols": { "Manifest": "pod.yaml" } }""", directory, adminScheme: "https");

            // The exec readiness probe passes only if it sees the reader's own /tmp.
            await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0], "reader").Ready, "the reader ready: its exec probe read /tmp/mine", TimeSpan.FromSeconds(30));
            var log = await LogAsync(gateway, "vols", "reader");
            Assert.Equal(
                ["shared-note", "hello-from-configmap", "config 600", "s3cret", "secret 644", "host-content", "hostPath-read-only", "no-writer-tmp", "done"],
                log.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            // The host's /tmp saw neither container's /tmp.
            Assert.False(File.Exists(hostTmpMarker), "the writer's /tmp is its own");
            Assert.False(File.Exists("/tmp/mine") && File.ReadAllText("/tmp/mine") == "mine\n", "the reader's /tmp is its own");

            // kubectl exec runs in the container's namespace: the reader's /tmp, not the writer's.
            var (code, output) = await Kubectl.RunToExitAsync(gateway.Kubeconfig, "exec", "vols", "-c", "reader", "--", "cat", "/tmp/mine", "/tmp/shared/note");
            Assert.True(code == 0, output);
            Assert.Equal("mine\nshared-note\n", output);
            (code, output) = await Kubectl.RunToExitAsync(gateway.Kubeconfig, "exec", "vols", "-c", "writer", "--", "sh", "-c", "test -e /tmp/mine || echo not-here; ls /mnt");
            Assert.True(code == 0, output);
            Assert.Equal("not-here\nnote\n", output);
        }
        finally
        {
            File.Delete(hostTmpMarker);
            Directory.Delete(directory, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Tmp_IsFreshAfterARestart()
    {
        SkipUnlessMountNamespaces();
        var directory = Directory.CreateTempSubdirectory("gateway-volumes-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata: { name: again }
            spec:
              containers:
              - name: app
                command: [ "sh", "-c", "if [ -e /tmp/was-here ]; then echo dirty; else echo clean; fi; touch /tmp/was-here; sleep 1; exit 3" ]
            """);
        try
        {
            await using var gateway = await GatewayProcess.StartAsync("""{ "again": { "Manifest": "pod.yaml" } }""", directory);

            await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0], "app") is { RestartCount: >= 1, State.Running: not null }, "the app restarted", TimeSpan.FromSeconds(40));
            Assert.Equal("clean\n", await LogAsync(gateway, "again", "app", previous: true));
            await Poll.UntilAsync(async () => (await LogAsync(gateway, "again", "app")).Length > 0, "the new instance's log");
            Assert.Equal("clean\n", await LogAsync(gateway, "again", "app"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Tmp_ProgramUnderTheHostsTmp_StillRuns_WhatItDoesNotNameIsHidden()
    {
        SkipUnlessMountNamespaces();
        // A checkout under the host's /tmp (as CI's clone is): the script and the file beside it are
        // named by the command line, so their folder is kept; another folder there is not.
        var directory = Directory.CreateTempSubdirectory("gateway-tmp-program-").FullName;
        var app = Directory.CreateDirectory(Path.Combine(directory, "app")).FullName;
        // Outside the settings' folder (which is kept): a folder of the host's /tmp nothing names.
        var other = Directory.CreateTempSubdirectory("gateway-tmp-unnamed-").FullName;
        var ran = $"/tmp/gateway-tmp-program-ran-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(Path.Combine(app, "message.txt"), "beside-the-script\n");
        await File.WriteAllTextAsync(Path.Combine(other, "unnamed.txt"), "x\n");
        await File.WriteAllTextAsync(Path.Combine(app, "run.sh"), $$"""
            cat "$(dirname "$0")/message.txt"
            [ -e {{other}}/unnamed.txt ] && echo sees-other || echo other-hidden
            touch {{ran}}
            exec sleep 600
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: tmpprog }
            spec:
              containers:
              - name: app
                command: [ "/bin/sh", "{{app}}/run.sh" ]
                readinessProbe: { exec: { command: [ "cat", "{{ran}}" ] }, periodSeconds: 1 }
            """);
        try
        {
            await using var gateway = await GatewayProcess.StartAsync("""{ "tmpprog": { "Manifest": "pod.yaml" } }""", directory);

            await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0], "app").Ready, "the app ready: its probe read the file in its own /tmp", TimeSpan.FromSeconds(30));
            Assert.Equal(["beside-the-script", "other-hidden"], (await LogAsync(gateway, "tmpprog", "app")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.False(File.Exists(ran), "the app's /tmp is its own");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            Directory.Delete(other, recursive: true);
        }
    }

    [SkippableFact]
    public async Task SeedPod_AsWritten_RestartsAtTheThirdFailedProbe_WithAFreshTmp()
    {
        SkipUnlessMountNamespaces();
        // config/examples/liveness-exec.yaml with only its delays shortened, on default settings:
        // /tmp/healthy is the container's own /tmp.
        var seed = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "config", "examples", "liveness-exec.yaml"));
        var shortened = seed
            .Replace("sleep 30;", "sleep 3;", StringComparison.Ordinal)
            .Replace("initialDelaySeconds: 5", "initialDelaySeconds: 1", StringComparison.Ordinal)
            .Replace("periodSeconds: 5", "periodSeconds: 1", StringComparison.Ordinal);
        Assert.Contains("touch /tmp/healthy; sleep 3; rm -rf /tmp/healthy; sleep 600", shortened, StringComparison.Ordinal);
        var directory = Directory.CreateTempSubdirectory("gateway-seed-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), shortened);
        try
        {
            await using var gateway = await GatewayProcess.StartAsync("""{ "seed": { "Manifest": "pod.yaml" } }""", directory);

            var restarted = await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0], "liveness") is { RestartCount: 1, State.Running: not null },
                "restartCount 1", TimeSpan.FromSeconds(40));
            Assert.Equal("Running", restarted[0].Status.Phase);
            var events = await gateway.GetEventsAsync();
            var failures = events.Single(e => e.Reason == "Unhealthy" && e.Message.StartsWith("Liveness probe failed: cat:", StringComparison.Ordinal));
            Assert.Contains("/tmp/healthy", failures.Message, StringComparison.Ordinal);
            Assert.Equal(3, failures.Count);
            Assert.Contains(events, e => e.Reason == "Killing" && e.Message == "Container liveness failed liveness probe, will be restarted");

            // The new instance touched /tmp/healthy in a fresh /tmp of its own, and its exec probe sees it:
            // no failure in the next 1.8 s (its first probe came at 1 s; the file goes at 3 s).
            await Task.Delay(TimeSpan.FromSeconds(1.8));
            var later = (await gateway.GetPodsAsync()).Items.Single();
            Assert.Equal(1, Container(later, "liveness").RestartCount);
            Assert.Equal(3, (await gateway.GetEventsAsync()).Single(e => e.Reason == "Unhealthy").Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
