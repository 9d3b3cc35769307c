using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class EnvValidatorTests
{
    // One row per rule of env[].valueFrom and envFrom: a container breaking exactly that rule, and its one message.
    public static TheoryData<string, string> InvalidEnv => new()
    {
        { "env: [{name: A, valueFrom: {}}]", "spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}, configMapKeyRef: {name: c, key: k}}}]", "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not have more than one field specified at a time" },
        { "env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]", "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.hostname}}}]", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"spec.hostname\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\", \"metadata.labels['<KEY>']\", \"metadata.annotations['<KEY>']\"" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: ''}}}]", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Required value" },
        { "env: [{name: A, valueFrom: {fieldRef: {apiVersion: v2, fieldPath: metadata.name}}}]", "spec.containers[0].env[0].valueFrom.fieldRef.apiVersion: Unsupported value: \"v2\": supported values: \"v1\"" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['-x']\"}}}]", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
        { "env: [{name: A, valueFrom: {configMapKeyRef: {key: k}}}]", "spec.containers[0].env[0].valueFrom.configMapKeyRef.name: Required value" },
        { "env: [{name: A, valueFrom: {configMapKeyRef: {name: c}}}]", "spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Required value" },
        { "env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: 'a b'}}}]", "spec.containers[0].env[0].valueFrom.secretKeyRef.key: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" },
        { "env: [{name: A, valueFrom: {secretKeyRef: {name: Bad_Name, key: k}}}]", "spec.containers[0].env[0].valueFrom.secretKeyRef.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
        { "env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.ephemeral-storage}}}]", "spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: \"limits.ephemeral-storage\": supported values: \"limits.cpu\", \"limits.memory\", \"requests.cpu\", \"requests.memory\"" },
        { "env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.cpu, containerName: other}}}]", "spec.containers[0].env[0].valueFrom.resourceFieldRef.containerName: Not found: \"other\"" },
        { "env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 2}}}]", "spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: \"2\": only divisor's values 1m and 1 are supported with the cpu resource" },
        { "env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1m}}}]", "spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: \"1m\": only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource" },
        { "envFrom: [{prefix: X_}]", "spec.containers[0].envFrom[0]: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`" },
        { "envFrom: [{configMapRef: {name: c}, secretRef: {name: s}}]", "spec.containers[0].envFrom[0]: Invalid value: \"\": may not have more than one field specified at a time" },
        { "envFrom: [{configMapRef: {name: c}, prefix: 'A='}]", "spec.containers[0].envFrom[0].prefix: Invalid value: \"A=\": a valid environment variable name must consist only of printable ASCII characters other than '='" },
        { "envFrom: [{secretRef: {optional: true}}]", "spec.containers[0].envFrom[0].secretRef.name: Required value" },
    };

    [Theory]
    [MemberData(nameof(InvalidEnv))]
    public void Validate_EnvBreakingOneRule_ReportsExactlyThatError(string containerFields, string expected)
    {
        var spec = PodYaml.Spec($"containers: [{{name: web, {containerFields}}}]");

        Assert.Equal([expected], PodSpecValidator.Validate(spec, "spec").Select(error => error.ToString()));
    }

    [Fact]
    public void Validate_EverySupportedEnvSource_ReportsNothing()
    {
        var spec = PodYaml.Spec("""
            containers:
            - name: web
              resources: {limits: {cpu: "2", memory: 1Gi}}
              env:
              - {name: FROM_MAP, valueFrom: {configMapKeyRef: {name: cfg, key: mode, optional: true}}}
              - {name: FROM_SECRET, valueFrom: {secretKeyRef: {name: creds, key: password}}}
              - {name: POD, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}}
              - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
              - {name: NOTE, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['example.com/note']"}}}
              - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
              - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
              - {name: CPU, valueFrom: {resourceFieldRef: {containerName: web, resource: limits.cpu, divisor: 1m}}}
              envFrom:
              - {configMapRef: {name: cfg}, prefix: CFG_}
              - {secretRef: {name: creds, optional: true}}
            """);

        Assert.Empty(PodSpecValidator.Validate(spec, "spec"));
    }
}
