using System.Collections.Immutable;
using System.Text;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Specs;
using Gateway.Tests.Specs;
using k8s.Models;

namespace Gateway.Tests.Pods;

public class ContainerLaunchBuilderTests
{
    private static readonly ConfigObjects Objects = new(
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, ConfigMapData>
        {
            ["app-config"] = new(
                ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["mode"] = "fast", ["LEVEL"] = "debug" }),
                ImmutableSortedDictionary.Create<string, byte[]>(StringComparer.Ordinal)),
        }),
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, ImmutableSortedDictionary<string, byte[]>>
        {
            ["creds"] = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("hunter2") }),
        }));

    private static PodState Pod(V1Container container) => PodStates.Create("Always", [container]) with
    {
        Objects = Objects,
        Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "demo" },
        Annotations = new Dictionary<string, string> { ["example.com/note"] = "hello" },
    };

    private static V1Container Container(string fields) => PodYaml.Spec($"containers: [{{name: web, {fields}}}]").Containers[0];

    // One row per rule: the container's env or envFrom, the variable, and its value (null: not set).
    public static TheoryData<string, string, string?> Resolved => new()
    {
        { "env: [{name: A, valueFrom: {configMapKeyRef: {name: app-config, key: mode}}}]", "A", "fast" },
        { "env: [{name: A, valueFrom: {configMapKeyRef: {name: app-config, key: nope, optional: true}}}]", "A", null },
        { "env: [{name: A, valueFrom: {configMapKeyRef: {name: nope, key: mode, optional: true}}}]", "A", null },
        { "env: [{name: A, valueFrom: {secretKeyRef: {name: creds, key: password}}}]", "A", "hunter2" },
        { "env: [{name: A, valueFrom: {secretKeyRef: {name: nope, key: password, optional: true}}}]", "A", null },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]", "A", "web-abc-xyz12" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]", "A", "default" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}]", "A", "uid-1" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]", "A", "127.0.0.1" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]", "A", "gateway" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['tier']\"}}}]", "A", "demo" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['missing']\"}}}]", "A", "" },
        { "env: [{name: A, valueFrom: {fieldRef: {fieldPath: \"metadata.annotations['example.com/note']\"}}}]", "A", "hello" },
        { "resources: {limits: {memory: 512Mi}}, env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}]", "A", "512" },
        { "resources: {limits: {cpu: 250m}}, env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}]", "A", "1" },
        { "resources: {limits: {cpu: 250m}}, env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}]", "A", "250" },
        { "resources: {limits: {cpu: 2}}, env: [{name: A, valueFrom: {resourceFieldRef: {resource: requests.cpu}}}]", "A", "2" },
        { "env: [{name: A, valueFrom: {resourceFieldRef: {resource: requests.memory}}}]", "A", "0" },
        { "envFrom: [{configMapRef: {name: app-config}}]", "mode", "fast" },
        { "envFrom: [{configMapRef: {name: app-config}, prefix: CFG_}]", "CFG_LEVEL", "debug" },
        { "envFrom: [{secretRef: {name: creds}}]", "password", "hunter2" },
        { "envFrom: [{secretRef: {name: nope, optional: true}}]", "password", null },
        { "envFrom: [{configMapRef: {name: app-config}}], env: [{name: mode, value: slow}]", "mode", "slow" },
        { "envFrom: [{configMapRef: {name: app-config}}], env: [{name: URL, value: 'http://$(POD_IP):$(PORT)/$(LEVEL)'}]", "URL", "http://127.0.0.1:9000/debug" },
        { "env: [{name: SELF, value: '$(LATER)'}, {name: LATER, value: x}]", "SELF", "$(LATER)" },
        { "env: [{name: A, value: '$(B)'}, {name: B, valueFrom: {configMapKeyRef: {name: app-config, key: mode}}}, {name: C, value: '$(B)'}]", "C", "fast" },
        { "env: [{name: RAW, valueFrom: {secretKeyRef: {name: creds, key: password}}}, {name: X, value: '$(RAW)'}]", "X", "hunter2" },
    };

    [Theory]
    [MemberData(nameof(Resolved))]
    public void Environment_ResolvesAsTheKubelet(string fields, string name, string? expected)
    {
        var container = Container(fields);

        var environment = ContainerLaunchBuilder.Environment(Pod(container), container, [new PortMapping("http", 8080, 9000)], "/etc/gateway");

        Assert.Equal(expected, environment.GetValueOrDefault(name));
    }

    // The kubelet's words for a reference to nothing that is not optional.
    [Theory]
    [InlineData("env: [{name: A, valueFrom: {configMapKeyRef: {name: nope, key: mode}}}]", "configmap \"nope\" not found")]
    [InlineData("env: [{name: A, valueFrom: {configMapKeyRef: {name: app-config, key: nope}}}]", "couldn't find key nope in ConfigMap default/app-config")]
    [InlineData("env: [{name: A, valueFrom: {secretKeyRef: {name: nope, key: k}}}]", "secret \"nope\" not found")]
    [InlineData("env: [{name: A, valueFrom: {secretKeyRef: {name: creds, key: user}}}]", "couldn't find key user in Secret default/creds")]
    [InlineData("envFrom: [{configMapRef: {name: nope}}]", "configmap \"nope\" not found")]
    [InlineData("envFrom: [{secretRef: {name: nope, optional: false}}]", "secret \"nope\" not found")]
    public void Environment_MissingReference_IsCreateContainerConfigError(string fields, string expected)
    {
        var container = Container(fields);

        var error = Assert.Throws<ContainerStartException>(() => ContainerLaunchBuilder.Environment(Pod(container), container, [], null));

        Assert.Equal(ContainerLaunchBuilder.CreateContainerConfigError, error.Reason);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void ResourceValue_NoLimit_IsTheMachinesCapacity()
    {
        var value = ContainerLaunchBuilder.ResourceValue(new V1ResourceFieldSelector { Resource = "limits.cpu" }, null);

        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
    }
}
