using Gateway.Specs;
using k8s;

namespace Gateway.Tests.Specs;

public class PodSpecDefaultsTests
{
    [Fact]
    public void ApplyDefaults_UnsetFields_TakeTheApiServerDefaults()
    {
        var spec = PodYaml.Spec("""
            containers:
            - name: web
              ports: [{containerPort: 8080}]
              readinessProbe: {httpGet: {port: 8080}}
              livenessProbe: {tcpSocket: {port: 8080}}
              startupProbe: {exec: {command: [true]}}
              lifecycle: {preStop: {httpGet: {port: 8080}}, postStart: {httpGet: {port: 8080}}}
            """);

        var defaulted = PodSpecDefaults.ApplyDefaults(spec);

        Assert.Equal("Always", defaulted.RestartPolicy);
        Assert.Equal(30, defaulted.TerminationGracePeriodSeconds);
        var container = Assert.Single(defaulted.Containers);
        Assert.Equal("TCP", Assert.Single(container.Ports).Protocol);
        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe })
        {
            Assert.Equal(
                (0, 10, 1, 1, 3),
                (probe.InitialDelaySeconds, probe.PeriodSeconds, probe.TimeoutSeconds, probe.SuccessThreshold, probe.FailureThreshold));
        }

        Assert.Equal(("/", "HTTP"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Scheme));
        Assert.Equal(("/", "HTTP"), (container.Lifecycle.PreStop.HttpGet.Path, container.Lifecycle.PreStop.HttpGet.Scheme));
        Assert.Equal(("/", "HTTP"), (container.Lifecycle.PostStart.HttpGet.Path, container.Lifecycle.PostStart.HttpGet.Scheme));
        Assert.Equal(("/dev/termination-log", "File"), (container.TerminationMessagePath, container.TerminationMessagePolicy));
    }

    [Fact]
    public void ApplyDefaults_SetFields_AreKept()
    {
        var spec = PodYaml.Spec("""
            restartPolicy: Never
            terminationGracePeriodSeconds: 5
            initContainers: [{name: migrate, image: migrate:1.0, imagePullPolicy: Never, terminationMessagePath: /m, terminationMessagePolicy: File}]
            containers:
            - name: web
              imagePullPolicy: Always
              terminationMessagePath: /var/log/last
              terminationMessagePolicy: FallbackToLogsOnError
              ports: [{containerPort: 8080, protocol: TCP}]
              readinessProbe:
                httpGet: {port: 8080, path: /ready, scheme: HTTPS}
                initialDelaySeconds: 2
                periodSeconds: 3
                timeoutSeconds: 4
                successThreshold: 5
                failureThreshold: 6
            """);

        var defaulted = PodSpecDefaults.ApplyDefaults(spec);

        Assert.Equal(KubernetesJson.Serialize(spec), KubernetesJson.Serialize(defaulted));
    }

    [Fact]
    public void ApplyDefaults_Always_LeavesTheInputUnchanged()
    {
        var spec = PodYaml.Spec("containers: [{name: web, readinessProbe: {httpGet: {port: 80}}}]");
        var before = KubernetesJson.Serialize(spec);

        var defaulted = PodSpecDefaults.ApplyDefaults(spec);

        Assert.NotSame(spec, defaulted);
        Assert.Equal(before, KubernetesJson.Serialize(spec));
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("registry.local:5000/team/web", "Always")]
    [InlineData("registry.local:5000/team/web:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("registry.local:5000/team/web:1.0", "IfNotPresent")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    [InlineData("nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    [InlineData(null, "IfNotPresent")]
    public void ApplyDefaults_ImagePullPolicyUnset_FollowsTheImageTag(string? image, string expected)
    {
        var spec = PodYaml.Spec("containers: [{name: web}]");
        spec.Containers[0].Image = image;

        var defaulted = PodSpecDefaults.ApplyDefaults(spec);

        Assert.Equal(expected, defaulted.Containers[0].ImagePullPolicy);
    }
}
