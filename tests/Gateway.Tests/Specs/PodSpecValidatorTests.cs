using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class PodSpecValidatorTests
{
    // One row per rule: a spec that breaks exactly that rule, and the one message it must produce.
    public static TheoryData<string, string> InvalidSpecs => new()
    {
        // Pod
        { "containers: []", "spec.containers: Required value" },
        { "restartPolicy: Always", "spec.containers: Required value" },
        {
            """
            restartPolicy: Sometimes
            containers: [{name: web}]
            """,
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        },
        {
            """
            terminationGracePeriodSeconds: -1
            containers: [{name: web}]
            """,
            "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"
        },
        {
            """
            readinessGates: [{conditionType: ""}]
            containers: [{name: web}]
            """,
            "spec.readinessGates[0].conditionType: Required value"
        },

        // Fields the gateway does not implement
        {
            """
            volumes: [{name: data, nfs: {server: nfs, path: /}}]
            containers: [{name: web}]
            """,
            "spec.volumes[0].nfs: Forbidden: not supported by the gateway; remove it"
        },
        {
            """
            hostNetwork: true
            containers: [{name: web}]
            """,
            "spec.hostNetwork: Forbidden: not supported by the gateway; remove it"
        },
        {
            """
            nodeSelector: {disk: ssd}
            containers: [{name: web}]
            """,
            "spec.nodeSelector: Forbidden: not supported by the gateway; remove it"
        },
        {
            """
            securityContext: {runAsUser: 1000}
            containers: [{name: web}]
            """,
            "spec.securityContext: Forbidden: not supported by the gateway; remove it"
        },
        {
            """
            tolerations: [{key: k, operator: Exists}]
            containers: [{name: web}]
            """,
            "spec.tolerations: Forbidden: not supported by the gateway; remove it"
        },
        { "containers: [{name: web, volumeMounts: [{name: data, mountPath: /data, mountPropagation: Bidirectional}]}]\nvolumes: [{name: data, emptyDir: {}}]", "spec.containers[0].volumeMounts[0].mountPropagation: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, securityContext: {privileged: true}}]", "spec.containers[0].securityContext: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, tty: true}]", "spec.containers[0].tty: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, stdin: true}]", "spec.containers[0].stdin: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, envFrom: [{configMapRef: {name: cfg}, secretRef: {name: s}}]}]", "spec.containers[0].envFrom[0]: Invalid value: \"\": may not have more than one field specified at a time" },
        { "containers: [{name: web, env: [{name: A, valueFrom: {fileKeyRef: {path: x, key: k}}}]}]", "spec.containers[0].env[0].valueFrom.fileKeyRef: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, resources: {limits: {nvidia.com/gpu: 1}}}]", "spec.containers[0].resources.limits[nvidia.com/gpu]: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, resources: {requests: {ephemeral-storage: 1Gi}}}]", "spec.containers[0].resources.requests[ephemeral-storage]: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, resources: {claims: [{name: gpu}]}}]", "spec.containers[0].resources.claims: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, lifecycle: {postStart: {tcpSocket: {port: 80}}}}]", "spec.containers[0].lifecycle.postStart.tcpSocket: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, lifecycle: {preStop: {tcpSocket: {port: 80}}}}]", "spec.containers[0].lifecycle.preStop.tcpSocket: Forbidden: not supported by the gateway; remove it" },
        { "containers: [{name: web, ports: [{containerPort: 80, hostPort: 8080}]}]", "spec.containers[0].ports[0].hostPort: Forbidden: host ports are allocated by the gateway; remove it" },
        { "containers: [{name: web, ports: [{containerPort: 80, hostIP: 127.0.0.1}]}]", "spec.containers[0].ports[0].hostIP: Forbidden: host ports are allocated by the gateway; remove it" },

        // Container names
        { "containers: [{image: nginx}]", "spec.containers[0].name: Required value" },
        {
            "containers: [{name: Web}]",
            "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        },
        { "containers: [{name: web.v1}]", "spec.containers[0].name: Invalid value: \"web.v1\": must not contain dots" },
        { $"containers: [{{name: {new string('a', 64)}}}]", $"spec.containers[0].name: Invalid value: \"{new string('a', 64)}\": must be no more than 63 characters" },
        { "containers: [{name: web}, {name: web}]", "spec.containers[1].name: Duplicate value: \"web\"" },
        {
            """
            containers: [{name: web}]
            initContainers: [{name: web}]
            """,
            "spec.initContainers[0].name: Duplicate value: \"web\""
        },

        // Container fields with a fixed set of values
        { "containers: [{name: web, imagePullPolicy: Sometimes}]", "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"" },
        { "containers: [{name: web, terminationMessagePolicy: Stdout}]", "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Stdout\": supported values: \"File\", \"FallbackToLogsOnError\"" },

        // Ports
        { "containers: [{name: web, ports: [{name: http}]}]", "spec.containers[0].ports[0].containerPort: Required value" },
        { "containers: [{name: web, ports: [{containerPort: 70000}]}]", "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive" },
        { "containers: [{name: web, ports: [{containerPort: -1}]}]", "spec.containers[0].ports[0].containerPort: Invalid value: -1: must be between 1 and 65535, inclusive" },
        { "containers: [{name: web, ports: [{containerPort: 80, protocol: UDP}]}]", "spec.containers[0].ports[0].protocol: Unsupported value: \"UDP\": supported values: \"TCP\"" },
        { "containers: [{name: web, ports: [{containerPort: 80, name: http}, {containerPort: 81, name: http}]}]", "spec.containers[0].ports[1].name: Duplicate value: \"http\"" },
        { "containers: [{name: web, ports: [{containerPort: 80, name: a-very-long-port-name}]}]", "spec.containers[0].ports[0].name: Invalid value: \"a-very-long-port-name\": must be no more than 15 characters" },
        { "containers: [{name: web, ports: [{containerPort: 80, name: Http}]}]", "spec.containers[0].ports[0].name: Invalid value: \"Http\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)" },
        { "containers: [{name: web, ports: [{containerPort: 80, name: '8080'}]}]", "spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at least one letter (a-z)" },
        { "containers: [{name: web, ports: [{containerPort: 80, name: my--port}]}]", "spec.containers[0].ports[0].name: Invalid value: \"my--port\": must not contain consecutive hyphens" },
        { "containers: [{name: web, ports: [{containerPort: 80, name: http-}]}]", "spec.containers[0].ports[0].name: Invalid value: \"http-\": must not begin or end with a hyphen" },

        // Env
        { "containers: [{name: web, env: [{value: x}]}]", "spec.containers[0].env[0].name: Required value" },
        { "containers: [{name: web, env: [{name: A=B}]}]", "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='" },

        // Probe handlers
        { "containers: [{name: web, livenessProbe: {periodSeconds: 5}}]", "spec.containers[0].livenessProbe: Required value: must specify a handler type" },
        { "containers: [{name: web, livenessProbe: {exec: {command: [true]}, httpGet: {port: 80}}}]", "spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type" },
        { "containers: [{name: web, readinessProbe: {exec: {}}}]", "spec.containers[0].readinessProbe.exec.command: Required value" },
        { "containers: [{name: web, readinessProbe: {httpGet: {path: /healthz}}}]", "spec.containers[0].readinessProbe.httpGet.port: Required value" },
        { "containers: [{name: web, readinessProbe: {httpGet: {port: 0}}}]", "spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive" },
        {
            "containers: [{name: web, ports: [{containerPort: 80, name: http}], readinessProbe: {httpGet: {port: metrics}}}]",
            "spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"metrics\": must be a port name declared in spec.containers[0].ports; declare it there or use a port number"
        },
        {
            """
            containers:
            - {name: sidecar, ports: [{containerPort: 9090, name: metrics}]}
            - {name: web, readinessProbe: {httpGet: {port: metrics}}}
            """,
            "spec.containers[1].readinessProbe.httpGet.port: Invalid value: \"metrics\": must be a port name declared in spec.containers[1].ports; declare it there or use a port number"
        },
        { "containers: [{name: web, readinessProbe: {httpGet: {port: Metrics}}}]", "spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"Metrics\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)" },
        { "containers: [{name: web, readinessProbe: {httpGet: {port: 80, scheme: FTP}}}]", "spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\"" },
        {
            "containers: [{name: web, readinessProbe: {httpGet: {port: 80, httpHeaders: [{name: 'X Bad', value: v}]}}}]",
            "spec.containers[0].readinessProbe.httpGet.httpHeaders[0].name: Invalid value: \"X Bad\": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"
        },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 65536}}}]", "spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: 65536: must be between 1 and 65535, inclusive" },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: db}}}]", "spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: \"db\": must be a port name declared in spec.containers[0].ports; declare it there or use a port number" },
        { "containers: [{name: web, readinessProbe: {grpc: {}}}]", "spec.containers[0].readinessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive" },

        // Probe numbers
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: -1}}]", "spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0" },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, timeoutSeconds: 0}}]", "spec.containers[0].readinessProbe.timeoutSeconds: Invalid value: 0: must be greater than or equal to 1" },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 0}}]", "spec.containers[0].readinessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1" },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, successThreshold: 0}}]", "spec.containers[0].readinessProbe.successThreshold: Invalid value: 0: must be greater than or equal to 1" },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, failureThreshold: 0}}]", "spec.containers[0].readinessProbe.failureThreshold: Invalid value: 0: must be greater than or equal to 1" },
        { "containers: [{name: web, livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}}]", "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" },
        { "containers: [{name: web, startupProbe: {tcpSocket: {port: 80}, successThreshold: 2}}]", "spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1" },
        { "containers: [{name: web, livenessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 0}}]", "spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0" },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 5}}]", "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Forbidden: must not be set for readinessProbes" },

        // Durations the gateway times: at most 30 days, below .NET's timer limit of 49 days.
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 2147483647}}]", "spec.containers[0].readinessProbe.periodSeconds: Invalid value: 2147483647: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        { "containers: [{name: web, readinessProbe: {tcpSocket: {port: 80}, timeoutSeconds: 2592001}}]", "spec.containers[0].readinessProbe.timeoutSeconds: Invalid value: 2592001: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        { "containers: [{name: web, startupProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 2592001}}]", "spec.containers[0].startupProbe.initialDelaySeconds: Invalid value: 2592001: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        { "containers: [{name: web, livenessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 9223372036854775807}}]", "spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 9223372036854775807: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        {
            """
            terminationGracePeriodSeconds: 2592001
            containers: [{name: web}]
            """,
            "spec.terminationGracePeriodSeconds: Invalid value: 2592001: must be less than or equal to 2592000 (30 days), the longest the gateway times"
        },

        // Resources and process text
        { "containers: [{name: web, resources: {limits: {cpu: \"-1\"}}}]", "spec.containers[0].resources.limits[cpu]: Invalid value: \"-1\": must be greater than or equal to 0" },
        { "containers: [{name: web, resources: {requests: {cpu: 2000000}}}]", "spec.containers[0].resources.requests[cpu]: Invalid value: \"2000000\": must be no more than 1000000 CPUs" },
        { "containers: [{name: web, args: [\"a\\0b\"]}]", "spec.containers[0].args[0]: Invalid value: \"a\\x00b\": must not contain a NUL character" },
        { "containers: [{name: web, env: [{name: A, value: \"\\0\"}]}]", "spec.containers[0].env[0].value: Invalid value: \"\\x00\": must not contain a NUL character" },
        { "containers: [{name: web, ports: [null]}]", "spec.containers[0].ports[0]: Required value" },
        { "containers: [{name: web, env: [null]}]", "spec.containers[0].env[0]: Required value" },

        // Init containers
        {
            """
            containers: [{name: web}]
            initContainers: [{name: migrate, readinessProbe: {exec: {command: [true]}}}]
            """,
            "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers"
        },
        {
            """
            containers: [{name: web}]
            initContainers: [{name: migrate, lifecycle: {preStop: {sleep: {seconds: 1}}}}]
            """,
            "spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers"
        },
        {
            """
            containers: [{name: web}]
            initContainers: [{name: migrate, restartPolicy: OnFailure}]
            """,
            "spec.initContainers[0].restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""
        },
        { "containers: [{name: web, restartPolicy: Always}]", "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers" },

        // Sidecars
        {
            """
            containers: [{name: web}]
            initContainers: [{name: proxy, restartPolicy: Always, livenessProbe: {exec: {command: [true]}, successThreshold: 2}}]
            """,
            "spec.initContainers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
        },
        {
            """
            containers: [{name: web}]
            initContainers: [{name: proxy, restartPolicy: Always, lifecycle: {postStart: {}}}]
            """,
            "spec.initContainers[0].lifecycle.postStart: Required value: must specify a handler type"
        },

        // postStart
        { "containers: [{name: web, lifecycle: {postStart: {}}}]", "spec.containers[0].lifecycle.postStart: Required value: must specify a handler type" },
        { "containers: [{name: web, lifecycle: {postStart: {exec: {command: [true]}, sleep: {seconds: 1}}}}]", "spec.containers[0].lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type" },
        { "containers: [{name: web, lifecycle: {postStart: {httpGet: {port: admin}}}}]", "spec.containers[0].lifecycle.postStart.httpGet.port: Invalid value: \"admin\": must be a port name declared in spec.containers[0].ports; declare it there or use a port number" },

        // activeDeadlineSeconds
        { "containers: [{name: web}]\nactiveDeadlineSeconds: 0", "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive" },
        { "containers: [{name: web}]\nactiveDeadlineSeconds: 2592001", "spec.activeDeadlineSeconds: Invalid value: 2592001: must be less than or equal to 2592000 (30 days), the longest the gateway times" },

        // terminationMessagePolicy
        { "containers: [{name: web, terminationMessagePolicy: Always}]", "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Always\": supported values: \"File\", \"FallbackToLogsOnError\"" },

        // preStop
        { "containers: [{name: web, lifecycle: {preStop: {}}}]", "spec.containers[0].lifecycle.preStop: Required value: must specify a handler type" },
        { "containers: [{name: web, lifecycle: {preStop: {exec: {command: [true]}, sleep: {seconds: 1}}}}]", "spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type" },
        { "containers: [{name: web, lifecycle: {preStop: {sleep: {seconds: -1}}}}]", "spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: -1: must be non-negative and less than terminationGracePeriodSeconds (30)" },
        {
            """
            terminationGracePeriodSeconds: 10
            containers: [{name: web, lifecycle: {preStop: {sleep: {seconds: 11}}}}]
            """,
            "spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: 11: must be non-negative and less than terminationGracePeriodSeconds (10)"
        },
        { "containers: [{name: web, lifecycle: {preStop: {httpGet: {port: admin}}}}]", "spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: \"admin\": must be a port name declared in spec.containers[0].ports; declare it there or use a port number" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Validate_SpecBreakingOneRule_ReportsExactlyThatError(string specYaml, string expected)
    {
        var errors = PodSpecValidator.Validate(PodYaml.Spec(specYaml), "spec");

        Assert.Equal([expected], errors.Select(error => error.ToString()));
    }

    [Fact]
    public void Validate_EverySupportedField_ReportsNothing()
    {
        var spec = PodYaml.Spec("""
            restartPolicy: OnFailure
            terminationGracePeriodSeconds: 45
            readinessGates: [{conditionType: example.com/feature-1}]
            initContainers:
            - {name: migrate, command: [./migrate], env: [{name: DB, value: local}]}
            containers:
            - name: web
              image: registry.local:5000/web:1.2
              imagePullPolicy: IfNotPresent
              command: [dotnet]
              args: [web.dll, --urls, "http://+:8080"]
              workingDir: /srv/web
              env:
              - {name: PORT, value: "8080"}
              - {name: PORT, value: "8081"}
              ports:
              - {containerPort: 8080, name: http, protocol: TCP}
              - {containerPort: 9090, name: grpc}
              resources:
                limits: {cpu: 500m, memory: 256Mi}
                requests: {cpu: 100m, memory: 128Mi}
              startupProbe: {httpGet: {port: http, path: /started}, failureThreshold: 30, periodSeconds: 1}
              livenessProbe: {tcpSocket: {port: 8080}, successThreshold: 1, terminationGracePeriodSeconds: 5}
              readinessProbe:
                httpGet:
                  port: http
                  path: /ready
                  scheme: HTTPS
                  host: localhost
                  httpHeaders: [{name: X-Probe, value: "1"}]
                initialDelaySeconds: 0
                periodSeconds: 2
                timeoutSeconds: 1
                successThreshold: 2
                failureThreshold: 3
              lifecycle: {preStop: {sleep: {seconds: 5}}}
              terminationMessagePath: /dev/termination-log
              terminationMessagePolicy: FallbackToLogsOnError
            - name: worker
              readinessProbe: {grpc: {port: 9090, service: worker}}
              livenessProbe: {exec: {command: [cat, /tmp/healthy]}}
              lifecycle: {preStop: {httpGet: {port: 8081, path: /drain}}}
            volumes: []
            tolerations: []
            """);

        Assert.Empty(PodSpecValidator.Validate(spec, "spec"));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAllOfThemInOrder()
    {
        var spec = PodYaml.Spec("""
            restartPolicy: Sometimes
            hostNetwork: true
            containers:
            - name: web
              volumeMounts: [{name: data, mountPath: /data}]
              ports: [{containerPort: 0}]
              livenessProbe: {successThreshold: 3}
            - name: web
            """);

        var errors = PodSpecValidator.Validate(spec, "spec").Select(error => error.ToString());

        Assert.Equal(
            [
                "spec.hostNetwork: Forbidden: not supported by the gateway; remove it",
                "spec.containers[0].ports[0].containerPort: Required value",
                "spec.containers[0].livenessProbe: Required value: must specify a handler type",
                "spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1",
                "spec.containers[1].name: Duplicate value: \"web\"",
                "spec.containers[0].volumeMounts[0].name: Not found: \"data\": no volume of that name in spec.volumes (the pod declares none); declare it there, e.g. {name: data, emptyDir: {}}, or mount a declared one",
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            ],
            errors);
    }

    [Theory]
    [InlineData("spec", "spec.containers: Required value")]
    [InlineData("Gateway:Services:web:Template.spec", "Gateway:Services:web:Template.spec.containers: Required value")]
    [InlineData("Gateway:Services:web:Template:", "Gateway:Services:web:Template:containers: Required value")]
    [InlineData("", "containers: Required value")]
    public void Validate_PathPrefix_StartsEveryFieldPath(string path, string expected)
    {
        var errors = PodSpecValidator.Validate(PodYaml.Spec("containers: []"), path);

        Assert.Equal([expected], errors.Select(error => error.ToString()));
    }

    [Fact]
    public void Validate_NullSpec_ReportsSpecRequired()
    {
        Assert.Equal(["spec: Required value"], PodSpecValidator.Validate(null, "spec").Select(error => error.ToString()));
    }
}
