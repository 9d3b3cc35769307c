using Gateway.Specs;

namespace Gateway.Tests.Specs;

/// <summary>A run-to-completion service read from the <c>Job</c> key or a <c>batch/v1</c> Job manifest, and its <c>DependsOn</c>.</summary>
public sealed class JobSpecLoaderTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Load_JobKeyAndDependsOn_AreTheSpec_AndTheJobHasNoRoute()
    {
        var spec = _files.Load("""
            { "Gateway": { "Services": {
              "migrate": { "Job": {}, "Template": { "spec": { "restartPolicy": "OnFailure", "containers": [ { "name": "m", "command": [ "x" ] } ] } } },
              "web": { "DependsOn": { "migrate": "Succeeded", "cache": { "Condition": "ready", "Replicas": "All", "Propagate": "Restart" } },
                       "Template": { "spec": { "containers": [ { "name": "w", "command": [ "x" ] } ] } } },
              "cache": { "Route": { "Path": "/cache" }, "Template": { "spec": { "containers": [ { "name": "c", "command": [ "x" ] } ] } } } } } }
            """, out var errors);

        Assert.Empty(errors);
        var migrate = spec.Services.Single(s => s.Name == "migrate");
        Assert.Equal(new JobSpec(6), migrate.Pods!.Job);
        Assert.True(migrate.Route.IsNone); // a Job without a Route answers no requests
        Assert.Equal("migrate", migrate.Pods.Labels[JobSpec.JobNameLabel]);
        Assert.Equal(
            [new DependencySpec("cache", DependencyCondition.Ready, AllReplicas: true, DependencyPropagation.Restart), new DependencySpec("migrate", DependencyCondition.Succeeded)],
            spec.Services.Single(s => s.Name == "web").DependsOn);
    }

    [Fact]
    public void Load_BatchV1JobManifest_IsAJobWithItsBackoffLimit()
    {
        _files.Write("migrate.yaml", """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: migrate}
            spec:
              backoffLimit: 2
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: m, command: [x]}]
            """);

        var spec = _files.Load("""{ "Gateway": { "Services": { "migrate": { "Manifest": "migrate.yaml" } } } }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new JobSpec(2), spec.Services.Single().Pods!.Job);
        Assert.Equal(1, spec.Services.Single().Pods!.Replicas);
    }

    [Theory]
    [InlineData("completions: 3", "Gateway:Services:migrate:Manifest(migrate.yaml).spec.completions: Invalid value: 3: the gateway runs a Job as one pod to completion: only 1")]
    [InlineData("parallelism: 2", "Gateway:Services:migrate:Manifest(migrate.yaml).spec.parallelism: Invalid value: 2: the gateway runs a Job as one pod to completion: only 1")]
    public void Load_BatchV1JobManifest_MoreThanOnePod_IsRefusedByField(string field, string expected)
    {
        _files.Write("migrate.yaml", $"apiVersion: batch/v1\nkind: Job\nspec:\n  {field}\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: m, command: [x]}}]\n");

        _files.Load("""{ "Gateway": { "Services": { "migrate": { "Manifest": "migrate.yaml" } } } }""", out var errors);

        Assert.Equal([expected], errors);
    }
}
