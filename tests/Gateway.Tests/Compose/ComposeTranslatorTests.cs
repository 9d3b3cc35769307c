using Gateway.Compose;
using Gateway.Specs;

namespace Gateway.Tests.Compose;

/// <summary>Each compose field as the gateway setting it becomes, and each field it refuses.</summary>
public sealed class ComposeTranslatorTests : IDisposable
{
    private const string Container = "web.Template.spec.containers[0]";
    private readonly ComposeFixture _files = new();

    public void Dispose() => _files.Dispose();

    private static string Web(string fields) => "services:\n  web:\n" + string.Join("\n", fields.Split('\n').Select(l => "    " + l)) + "\n";

    private string? Translated(string fields, string path, RuntimeKind runtime = RuntimeKind.Process)
    {
        var (services, errors, _) = _files.Translate(Web(fields), runtime);
        Assert.True(services is not null, string.Join("\n", errors));
        return ComposeFixture.At(services, path);
    }

    [Theory]
    // image, entrypoint (Kubernetes' command) and command (args)
    [InlineData("image: nginx:1.27\ncommand: [nginx]", Container + ".image", "\"nginx:1.27\"")]
    [InlineData("entrypoint: [python, -m]\ncommand: [http.server, \"8000\"]", Container + ".command", "[\"python\",\"-m\"]")]
    [InlineData("entrypoint: [python, -m]\ncommand: [http.server, \"8000\"]", Container + ".args", "[\"http.server\",\"8000\"]")]
    [InlineData("entrypoint: python -m 'http.server' \"80 00\"", Container + ".command", "[\"python\",\"-m\",\"http.server\",\"80 00\"]")]
    [InlineData("command: sh -c 'echo $$HOME'", Container + ".command", "[\"sh\",\"-c\",\"echo $HOME\"]")] // Process: no image entrypoint, compose's command runs
    [InlineData("command: echo $(date)", Container + ".command", "[\"echo\",\"$$(date)\"]")] // kept literal: Kubernetes would expand $(date)
    // environment, list and map, and what a bare name takes
    [InlineData("command: [x]\nenvironment: [A=1, B=two=2, SECRET, UNSET]", Container + ".env", "[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"two=2\"},{\"name\":\"SECRET\",\"value\":\"s3cret\"}]")]
    [InlineData("command: [x]\nenvironment: {A: 1, B: true, SECRET: null, UNSET: }", Container + ".env", "[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"true\"},{\"name\":\"SECRET\",\"value\":\"s3cret\"}]")]
    [InlineData("command: [x]\nenvironment: {V: \"${TAG}-${NOPE:-dflt}-${EMPTY-set}-$$TAG\"}", Container + ".env[0].value", "\"1.2-dflt--$TAG\"")]
    [InlineData("command: [x]\nworking_dir: /srv/app", Container + ".workingDir", "\"/srv/app\"")]
    // ports: container ports (published first), published TCP ports in the route
    [InlineData("command: [x]\nports: [\"9000\", \"8080:80\", \"127.0.0.1:8443:443\", \"53:53/udp\"]", Container + ".ports", "[{\"containerPort\":80},{\"containerPort\":443},{\"containerPort\":53,\"protocol\":\"UDP\"},{\"containerPort\":9000}]")]
    [InlineData("command: [x]\nports: [\"9000\", \"8080:80\", \"127.0.0.1:8443:443\", \"53:53/udp\"]", "web.Route.Hosts", "[\"web.localhost\",\"*:8080\",\"*:8443\"]")]
    [InlineData("command: [x]\nports: [{target: 80, published: \"8080\", name: http}]", Container + ".ports", "[{\"name\":\"http\",\"containerPort\":80}]")]
    [InlineData("command: [x]\nports: [\"[::1]:8080:80\", 8081:80]", "web.Route.Hosts", "[\"web.localhost\",\"*:8080\",\"*:8081\"]")]
    [InlineData("command: [x]\nexpose: [\"3000\", 3001/udp]", Container + ".ports", "[{\"containerPort\":3000},{\"containerPort\":3001,\"protocol\":\"UDP\"}]")]
    [InlineData("command: [x]", "web.Route.Hosts", "[\"web.localhost\"]")]
    // restart
    [InlineData("command: [x]\nrestart: \"no\"", "web.Template.spec.restartPolicy", "\"Never\"")]
    [InlineData("command: [x]\nrestart: always", "web.Template.spec.restartPolicy", "\"Always\"")]
    [InlineData("command: [x]\nrestart: unless-stopped", "web.Template.spec.restartPolicy", "\"Always\"")]
    [InlineData("command: [x]\nrestart: on-failure", "web.Template.spec.restartPolicy", "\"OnFailure\"")]
    [InlineData("command: [x]\ndeploy: {restart_policy: {condition: on-failure}}", "web.Template.spec.restartPolicy", "\"OnFailure\"")]
    [InlineData("command: [x]", "web.Template.spec.restartPolicy", null)] // kept running: the gateway's default, Always
    // healthcheck as the readiness probe
    [InlineData("command: [x]\nhealthcheck: {test: [CMD, curl, -f, http://localhost/], interval: 1m30s, timeout: 10s, retries: 5, start_period: 40s}", Container + ".readinessProbe",
        "{\"exec\":{\"command\":[\"curl\",\"-f\",\"http://localhost/\"]},\"periodSeconds\":90,\"timeoutSeconds\":10,\"failureThreshold\":5}")]
    [InlineData("command: [x]\nhealthcheck: {test: [CMD-SHELL, pg_isready -U $$USER]}", Container + ".readinessProbe",
        "{\"exec\":{\"command\":[\"/bin/sh\",\"-c\",\"pg_isready -U $USER\"]},\"periodSeconds\":30,\"timeoutSeconds\":30,\"failureThreshold\":3}")]
    [InlineData("command: [x]\nhealthcheck: {test: curl -f localhost, interval: 500ms, timeout: 1.5s, retries: 0}", Container + ".readinessProbe",
        "{\"exec\":{\"command\":[\"/bin/sh\",\"-c\",\"curl -f localhost\"]},\"periodSeconds\":1,\"timeoutSeconds\":2,\"failureThreshold\":3}")]
    [InlineData("command: [x]\nhealthcheck: {test: [NONE]}", Container + ".readinessProbe", null)]
    [InlineData("command: [x]\nhealthcheck: {test: [CMD, x], disable: true}", Container + ".readinessProbe", null)]
    // replicas, labels, the grace period, the pull policy
    [InlineData("command: [x]\ndeploy: {replicas: 3, mode: replicated}", "web.Replicas", "3")]
    [InlineData("command: [x]\nscale: 2", "web.Replicas", "2")]
    [InlineData("command: [x]\nlabels: {com.example.team: the shop}", "web.Template.metadata.annotations", "{\"com.example.team\":\"the shop\"}")]
    [InlineData("command: [x]\nlabels: [a=b, c]", "web.Template.metadata.annotations", "{\"a\":\"b\",\"c\":\"\"}")]
    [InlineData("command: [x]\nstop_grace_period: 1m", "web.Template.spec.terminationGracePeriodSeconds", "60")]
    [InlineData("command: [x]\npull_policy: missing", Container + ".imagePullPolicy", "\"IfNotPresent\"")]
    [InlineData("command: [x]\ncontainer_name: my-web\nhostname: web\ntty: true\nx-note: mine", Container + ".name", "\"web\"")]
    [InlineData("command: [x]", "web.Runtime", "\"Process\"")]
    // bind mounts and tmpfs as volumes
    [InlineData("command: [x]\nvolumes: [\"/srv/data:/data:ro\", {type: bind, source: /srv/conf, target: /etc/app}, {type: tmpfs, target: /cache}]", "web.Template.spec.volumes",
        "[{\"hostPath\":{\"path\":\"/srv/data\"},\"name\":\"volume-0\"},{\"hostPath\":{\"path\":\"/srv/conf\"},\"name\":\"volume-1\"},{\"emptyDir\":{\"medium\":\"Memory\"},\"name\":\"volume-2\"}]")]
    [InlineData("command: [x]\nvolumes: [\"/srv/data:/data:ro\", {type: tmpfs, target: /cache}]", Container + ".volumeMounts",
        "[{\"name\":\"volume-0\",\"mountPath\":\"/data\",\"readOnly\":true},{\"name\":\"volume-1\",\"mountPath\":\"/cache\"}]")]
    public void Field_BecomesTheSetting(string fields, string path, string? expected)
    {
        Assert.Equal(expected, Translated(fields, path));
    }

    [Theory]
    [InlineData("image: busybox\ncommand: [httpd, -f]", Container + ".args", "[\"httpd\",\"-f\"]")] // the image's entrypoint runs it
    [InlineData("image: busybox\ncommand: [httpd, -f]", Container + ".command", null)]
    [InlineData("image: busybox", "web.Runtime", "\"Docker\"")]
    public void OnDocker_TheImageRuns(string fields, string path, string? expected)
    {
        Assert.Equal(expected, Translated(fields, path, RuntimeKind.Docker));
    }

    [Fact]
    public void DependsOn_ShortAndLongForms_AreConditions_AndACompletedOneIsAJob()
    {
        var (services, errors, _) = _files.Translate("""
            services:
              web:
                command: [web]
                depends_on:
                  db: {condition: service_healthy, restart: true}
                  cache: {condition: service_started}
                  migrate: {condition: service_completed_successfully}
              worker:
                command: [worker]
                depends_on: [cache]
              db:
                command: [db]
                healthcheck: {test: [CMD, true]}
              cache:
                command: [cache]
              migrate:
                command: [migrate]
                restart: on-failure:4
            """, prefix: "shop");

        Assert.Empty(errors);
        Assert.Equal("""{"shop-db":{"Condition":"Ready","Propagate":"Restart"},"shop-cache":"Started","shop-migrate":"Succeeded"}""", ComposeFixture.At(services, "shop-web.DependsOn"));
        Assert.Equal("""{"shop-cache":"Started"}""", ComposeFixture.At(services, "shop-worker.DependsOn"));
        Assert.Equal("""{"BackoffLimit":4}""", ComposeFixture.At(services, "shop-migrate.Job"));
        Assert.Equal("\"OnFailure\"", ComposeFixture.At(services, "shop-migrate.Template.spec.restartPolicy"));
        Assert.Equal("""["shop-web.localhost"]""", ComposeFixture.At(services, "shop-web.Route.Hosts"));
        Assert.Null(ComposeFixture.At(services, "shop-db.Job"));
    }

    [Fact]
    public void Job_WithoutRestart_NeverRestarts()
    {
        var (services, errors, _) = _files.Translate("services:\n  web: {command: [w], depends_on: {seed: {condition: service_completed_successfully}}}\n  seed: {command: [s]}\n");

        Assert.Empty(errors);
        Assert.Equal("{}", ComposeFixture.At(services, "seed.Job"));
        Assert.Equal("\"Never\"", ComposeFixture.At(services, "seed.Template.spec.restartPolicy"));
    }

    [Fact]
    public void BindMount_RelativeSource_IsRelativeToTheComposeFile()
    {
        var (services, errors, _) = _files.Translate(Web("command: [x]\nvolumes: [\"./site/:/srv/site\"]"));

        Assert.Empty(errors);
        Assert.Equal($$"""[{"hostPath":{"path":"{{_files.Directory}}/site"},"name":"volume-0"}]""", ComposeFixture.At(services, "web.Template.spec.volumes"));
    }

    [Fact]
    public void EnvFile_ComesFirst_EnvironmentOverIt_AndTheFileIsWatched()
    {
        var env = _files.Write("web.env", "# the web's\nA=from-file\nexport B=\"two\\nlines\"\nC='single $X' \nD=cut # comment\n\n");
        var (services, errors, files) = _files.Translate(Web("command: [x]\nenv_file: [web.env, {path: missing.env, required: false}]\nenvironment: {A: from-environment}"));

        Assert.Empty(errors);
        Assert.Equal("""[{"name":"B","value":"two\nlines"},{"name":"C","value":"single $X"},{"name":"D","value":"cut"},{"name":"A","value":"from-environment"}]""",
            ComposeFixture.At(services, Container + ".env"));
        Assert.Contains(env, files);
    }

    [Fact]
    public void DotEnvBesideTheFile_GivesVariables_UnderTheEnvironment()
    {
        _files.Write(".env", "TAG=from-dotenv\nIMAGE=app\n");
        var (services, errors, files) = _files.Translate(Web("image: ${IMAGE}:${TAG}\ncommand: [x]"));

        Assert.Empty(errors);
        Assert.Equal("\"app:1.2\"", ComposeFixture.At(services, Container + ".image"));
        Assert.Contains(Path.Combine(_files.Directory, ".env"), files);
    }

    [Fact]
    public void MergeKeys_ShareFields_TheServicesOwnWin()
    {
        var (services, errors, _) = _files.Translate("""
            x-defaults: &defaults
              restart: always
              working_dir: /shared
            services:
              web:
                <<: *defaults
                working_dir: /web
                command: [x]
            """);

        Assert.Empty(errors);
        Assert.Equal("\"Always\"", ComposeFixture.At(services, "web.Template.spec.restartPolicy"));
        Assert.Equal("\"/web\"", ComposeFixture.At(services, Container + ".workingDir"));
    }

    public static TheoryData<string> RefusedFields() => [.. ComposeFields.Refused.Keys];

    [Theory]
    [MemberData(nameof(RefusedFields))]
    public void RefusedField_IsNamedWithWhyAndTheFix(string field)
    {
        var (services, errors, _) = _files.Translate(Web($"command: [x]\n{field}: something"));

        Assert.Null(services);
        var error = Assert.Single(errors);
        Assert.StartsWith($"services.web.{field}: Forbidden: not supported by the gateway: ", error);
        Assert.Equal(ComposeFields.Refused[field], error[$"services.web.{field}: Forbidden: not supported by the gateway: ".Length..]);
    }

    [Theory]
    [InlineData("command: [x]\nbuild: .", "services.web.build: Forbidden: not supported by the gateway: the gateway runs images and programs, it does not build them: build the image first (`docker compose build` or `docker build -t NAME .`) and name it in image")]
    [InlineData("command: [x]\nimagee: nginx", "services.web.imagee: Forbidden: unknown field; did you mean \"image\"?")]
    [InlineData("command: [x]\ndeploy: {resources: {limits: {cpus: '0.5'}}}", "services.web.deploy.resources: Forbidden: not supported by the gateway: not translated; after `gateway convert`, set resources.limits and requests in the container of the Template")]
    [InlineData("command: [x]\ndeploy: {mode: global}", "services.web.deploy.mode: Forbidden: not supported by the gateway: one machine has one node: \"global\" is one replica; use \"replicated\"")]
    [InlineData("command: [x]\nports: [\"3000-3005:3000-3005\"]", "services.web.ports[0]: Forbidden: not supported by the gateway: a range of ports (3000-3005) is not translated: list the ports one by one")]
    [InlineData("command: [x]\nports: [\"8080:80/sctp\"]", "services.web.ports[0]: Unsupported value: \"sctp\": supported values: \"tcp\", \"udp\"")]
    [InlineData("command: [x]\nports: [\"8080:99999\"]", "services.web.ports[0]: Invalid value: \"99999\": must be a port number between 1 and 65535")]
    [InlineData("command: [x]\nrestart: sometimes", "services.web.restart: Unsupported value: \"sometimes\": supported values: \"no\", \"always\", \"on-failure\", \"on-failure:N\", \"unless-stopped\"")]
    [InlineData("command: [x]\nrestart: on-failure:3", "services.web.restart: Invalid value: \"on-failure:3\": a count of restarts is kept only for a service another waits for with service_completed_successfully (a Job's backoffLimit); the gateway restarts others with a growing back-off: drop the count")]
    [InlineData("command: [x]\nhealthcheck: {test: [CMD, x], interval: 10}", "services.web.healthcheck.interval: Invalid value: \"10\": must be a duration as compose writes them: numbers with a unit, us, ms, s, m or h, e.g. \"10s\", \"1m30s\", \"1.5s\"")]
    [InlineData("command: [x]\nhealthcheck: {test: [RUN, x]}", "services.web.healthcheck.test: Invalid value: \"RUN x\": must be [\"CMD\", program, args...], [\"CMD-SHELL\", \"command line\"] or [\"NONE\"]")]
    [InlineData("command: [x]\nhealthcheck: {interval: 1s}", "services.web.healthcheck.test: Required value: the command that tells the service is healthy (an image's own HEALTHCHECK is not read)")]
    [InlineData("command: [x]\ndepends_on: [db]", "services.web.depends_on[0]: Not found: \"db\": no service of that name in this file")]
    [InlineData("command: [x]\ndepends_on: {web2: {condition: service_ready}}", "services.web.depends_on.web2: Not found: \"web2\": no service of that name in this file")]
    [InlineData("command: [x]\nvolumes: [\"data:/var/lib/data\"]", "services.web.volumes[0]: Forbidden: not supported by the gateway: a named or anonymous volume lives in the engine and the gateway has none: bind a folder (./data:/data), or after `gateway convert` use an emptyDir")]
    [InlineData("command: [x]\nvolumes: [{type: npipe, source: x, target: /x}]", "services.web.volumes[0]: Forbidden: not supported by the gateway: only bind mounts (./data:/data) and tmpfs are translated; after `gateway convert`, write the volume in the Template")]
    [InlineData("command: [x]\npull_policy: build", "services.web.pull_policy: Forbidden: not supported by the gateway: the gateway does not build images: build it first and use \"missing\"")]
    [InlineData("command: [x]\nentrypoint: \"sh -c 'oops\"", "services.web.entrypoint: Invalid value: \"sh -c 'oops\": a quote is not closed")]
    [InlineData("image: app", "services.web.command: Required value: the Process runtime runs a program on this host, not the image: set command (or entrypoint), or run the file on the Docker runtime")]
    [InlineData("command: [x]\nenvironment: {V: \"${NOPE:?set NOPE to the database URL}\"}", "services.web.environment.V: Required value: ${NOPE}: set NOPE to the database URL; set it in the environment or in .env beside the file")]
    [InlineData("command: [x]\nenv_file: none.env", "services.web.env_file: Not found: \"none.env\": no such file; a relative path is relative to the compose file's folder")]
    [InlineData("command: [x]\ndeploy: {replicas: 2}\nscale: 3", "services.web.scale: Invalid value: 3: deploy.replicas is 2: set one of them")]
    public void BadField_IsOneErrorNamingIt(string fields, string expected)
    {
        var (services, errors, _) = _files.Translate(Web(fields));

        Assert.Null(services);
        Assert.Equal([expected], errors);
    }

    [Theory]
    [InlineData("services:\n  web: {command: [x]}\nnetworks: {back: {}}", "networks: Forbidden: not supported by the gateway: the gateway runs its services on one host network and routes to each by its host name ({service}.localhost) and published ports; remove it")]
    [InlineData("include: [other.yaml]\nservices:\n  web: {command: [x]}", "include: Forbidden: not supported by the gateway: run `docker compose config > flat.yaml` and translate the file it prints, in which this is resolved")]
    [InlineData("services:\n  Web_1: {command: [x]}", "services.Web_1: Invalid value: \"Web_1\": the gateway names a service and its pods after it: use a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63 characters)")]
    [InlineData("services:\n  web: {command: [x], depends_on: {db: {condition: service_healthy}}}\n  db: {command: [d]}", "services.web.depends_on.db.condition: Invalid value: \"service_healthy\": service \"db\" has no healthcheck (an image's own HEALTHCHECK is not read): add one to it, or use service_started")]
    [InlineData("services:\n  web: {command: [x], depends_on: {m: {condition: service_completed_successfully}}}\n  m: {command: [d], restart: always}", "services.m.restart: Invalid value: \"always\": another service waits for this one to complete (service_completed_successfully), which a service always restarted never does: use \"no\" or \"on-failure\"")]
    [InlineData("services:\n  web: {command: [x], depends_on: {m: {condition: service_started, required: false}}}\n  m: {command: [d]}", "services.web.depends_on.m.required: Forbidden: not supported by the gateway: the gateway waits for every dependency: remove the dependency, or required: false")]
    [InlineData("version: '3.8'\nservices:\n  web: {command: [x]}\nservics: {}", "servics: Forbidden: unknown field; did you mean \"services\"?")]
    [InlineData("services: [web]", "services: Required value: a compose file lists its services under services:")]
    [InlineData("services:\n  web: {command: [x]\n", "compose.yaml: Invalid value: line 3, column 1: While parsing a flow mapping, did not find expected ',' or '}'.")]
    public void BadFile_IsOneErrorNamingIt(string yaml, string expected)
    {
        var (services, errors, _) = _files.Translate(yaml);

        Assert.Null(services);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void OnDocker_AServiceWithoutAnImage_IsRefused()
    {
        var (services, errors, _) = _files.Translate(Web("command: [x]"), RuntimeKind.Docker);

        Assert.Null(services);
        Assert.Equal(["services.web.image: Required value: the Docker runtime runs an image; name one (e.g. \"busybox\")"], errors);
    }
}
