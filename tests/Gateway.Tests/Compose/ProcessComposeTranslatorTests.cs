using Gateway.Specs;

namespace Gateway.Tests.Compose;

/// <summary>Process Compose's fields as the gateway's settings, and those it refuses.</summary>
public sealed class ProcessComposeTranslatorTests : IDisposable
{
    private const string Container = "api.Template.spec.containers[0]";
    private readonly ComposeFixture _files = new();

    public void Dispose() => _files.Dispose();

    private static string Api(string fields) => "version: \"0.5\"\nprocesses:\n  api:\n" + string.Join("\n", fields.Split('\n').Select(l => "    " + l)) + "\n";

    [Theory]
    [InlineData("command: python app.py --port $$PORT", Container + ".command", "[\"bash\",\"-c\",\"python app.py --port $PORT\"]")]
    [InlineData("command: ./api\nworking_dir: /srv", Container + ".workingDir", "\"/srv\"")]
    [InlineData("command: ./api\nenvironment: [A=1, SECRET]", Container + ".env", "[{\"name\":\"G\",\"value\":\"global\"},{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"SECRET\",\"value\":\"s3cret\"}]")]
    [InlineData("command: ./api\nenvironment: [G=mine]", Container + ".env", "[{\"name\":\"G\",\"value\":\"mine\"}]")]
    [InlineData("command: ./api\nreadiness_probe: {http_get: {host: 127.0.0.1, scheme: http, path: /ready, port: 8080}, initial_delay_seconds: 2, period_seconds: 3, timeout_seconds: 1, success_threshold: 1, failure_threshold: 4}",
        Container + ".readinessProbe", "{\"httpGet\":{\"path\":\"/ready\",\"port\":8080,\"scheme\":\"HTTP\"},\"initialDelaySeconds\":2,\"periodSeconds\":3,\"timeoutSeconds\":1,\"successThreshold\":1,\"failureThreshold\":4}")]
    [InlineData("command: ./api\nreadiness_probe: {http_get: {path: /ready, port: 8080}}", Container + ".ports", "[{\"containerPort\":8080}]")]
    [InlineData("command: ./api\nliveness_probe: {exec: {command: pgrep api}, period_seconds: 5}", Container + ".livenessProbe", "{\"exec\":{\"command\":[\"bash\",\"-c\",\"pgrep api\"]},\"periodSeconds\":5}")]
    [InlineData("command: ./api\navailability: {restart: on_failure}", "api.Template.spec.restartPolicy", "\"OnFailure\"")]
    [InlineData("command: ./api\navailability: {restart: always}", "api.Template.spec.restartPolicy", "\"Always\"")]
    [InlineData("command: ./api\navailability: {restart: \"no\"}", "api.Template.spec.restartPolicy", "\"Never\"")]
    [InlineData("command: ./api\nreplicas: 3", "api.Replicas", "3")]
    [InlineData("command: ./api\nshutdown: {signal: 15, timeout_seconds: 7}", "api.Template.spec.terminationGracePeriodSeconds", "7")]
    [InlineData("command: ./api\ndescription: the api\nnamespace: backend", "api.Route.Hosts", "[\"api.localhost\"]")]
    public void Field_BecomesTheSetting(string fields, string path, string expected)
    {
        var (services, errors, _) = _files.Translate("environment: [G=global]\n" + Api(fields), file: "process-compose.yaml");

        Assert.True(services is not null, string.Join("\n", errors));
        Assert.Equal(expected, ComposeFixture.At(services, path));
    }

    [Fact]
    public void DependsOn_Conditions_AndACompletedOneIsAJob()
    {
        var (services, errors, _) = _files.Translate("""
            shell: {shell_command: sh, shell_argument: -c}
            processes:
              api:
                command: ./api
                depends_on:
                  db: {condition: process_healthy}
                  cache: {condition: process_started}
                  migrate: {condition: process_completed_successfully}
              db: {command: ./db, readiness_probe: {exec: {command: ./db --ping}}}
              cache: {command: ./cache}
              migrate: {command: ./migrate, availability: {restart: on_failure, max_restarts: 2}}
            """, file: "process-compose.yaml");

        Assert.Empty(errors);
        Assert.Equal("""{"db":"Ready","cache":"Started","migrate":"Succeeded"}""", ComposeFixture.At(services, "api.DependsOn"));
        Assert.Equal("""{"BackoffLimit":2}""", ComposeFixture.At(services, "migrate.Job"));
        Assert.Equal("""["sh","-c","./db --ping"]""", ComposeFixture.At(services, "db.Template.spec.containers[0].readinessProbe.exec.command"));
    }

    [Theory]
    [InlineData("command: ./api\nis_daemon: true", "processes.api.is_daemon: Forbidden: not supported by the gateway: the gateway follows the process it starts: run the program in the foreground")]
    [InlineData("command: ./api\nready_log_line: started", "processes.api.ready_log_line: Forbidden: not supported by the gateway: the gateway tells readiness by a probe: write a readiness_probe and wait for it with process_healthy")]
    [InlineData("command: ./api\ndisabled: true", "processes.api.disabled: Forbidden: not supported by the gateway: every process of the file runs; remove the process (or disabled)")]
    [InlineData("command: ./api\navailability: {restart: exit_on_failure}", "processes.api.availability.restart: Forbidden: not supported by the gateway: the gateway keeps its other services running when one fails; use \"on_failure\"")]
    [InlineData("command: ./api\navailability: {restart: always, backoff_seconds: 2}", "processes.api.availability.backoff_seconds: Forbidden: not supported by the gateway: the gateway restarts with a growing back-off (10s doubling to 5m, as the kubelet); remove it")]
    [InlineData("command: ./api\nshutdown: {signal: 2}", "processes.api.shutdown.signal: Forbidden: not supported by the gateway: the gateway stops a process with SIGTERM (15), then SIGKILL after timeout_seconds; make the program stop on SIGTERM")]
    [InlineData("command: ./api\nshutdown: {command: ./stop}", "processes.api.shutdown.command: Forbidden: not supported by the gateway: not translated; after `gateway convert`, write it as lifecycle.preStop exec in the Template")]
    [InlineData("command: ./api\nreadiness_probe: {period_seconds: 1}", "processes.api.readiness_probe: Required value: must specify a handler type: http_get or exec")]
    [InlineData("command: ./api\ndepends_on: {api: {condition: process_log_ready}}", "processes.api.depends_on.api.condition: Forbidden: not supported by the gateway: the gateway tells readiness by a probe: give the process a readiness_probe and use process_healthy")]
    [InlineData("command: ./api\ndepends_on: {api: {condition: process_healthy}}", "processes.api.depends_on.api.condition: Invalid value: \"process_healthy\": process \"api\" has no readiness_probe: add one to it, or use process_started")]
    [InlineData("working_dir: /srv", "processes.api.command: Required value: the command line the process runs")]
    [InlineData("command: ./api\ncomand: ./x", "processes.api.comand: Forbidden: unknown field; did you mean \"command\"?")]
    public void BadField_IsOneErrorNamingIt(string fields, string expected)
    {
        var (services, errors, _) = _files.Translate(Api(fields), file: "process-compose.yaml");

        Assert.Null(services);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void OnDocker_IsRefused()
    {
        var (services, errors, _) = _files.Translate(Api("command: ./api"), RuntimeKind.Docker, file: "process-compose.yaml");

        Assert.Null(services);
        Assert.Equal(["processes: Invalid value: a Process Compose file runs programs on this host, not images: use the Process runtime"], errors);
    }
}
