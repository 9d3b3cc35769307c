using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Gateway.Runtimes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Pods;

/// <summary>Builds a container's final environment and argv from its spec, the way the kubelet does.</summary>
public static class ContainerLaunchBuilder
{
    /// <summary>The node the gateway's pods are bound to (<c>spec.nodeName</c>).</summary>
    public const string NodeName = "gateway";

    /// <summary>The kubelet's reason for a container whose env or volumes name what does not exist.</summary>
    public const string CreateContainerConfigError = PodVolumes.CreateContainerConfigError;

    /// <summary>
    /// The environment: <c>PORT</c> (first declared port), <c>PORT_&lt;NAME&gt;</c>, <c>POD_NAME</c>,
    /// <c>POD_NAMESPACE</c>, <c>POD_IP</c> and <c>GATEWAY_CONFIG_DIR</c>, then the container's
    /// <c>envFrom</c> (ConfigMaps and Secrets, each key with the prefix), then its <c>env</c> in order:
    /// a <c>value</c> expanded from what came before it, a <c>valueFrom</c> as the kubelet resolves it.
    /// </summary>
    /// <exception cref="ContainerStartException">
    /// <see cref="CreateContainerConfigError"/>, in the kubelet's words: a ConfigMap, Secret or key
    /// that is not optional and not there (<c>configmap "app-config" not found</c>,
    /// <c>couldn't find key mode in ConfigMap default/app-config</c>).
    /// </exception>
    public static Dictionary<string, string> Environment(PodState pod, V1Container container, IReadOnlyList<PortMapping> ports, string? configDirectory)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(ports);
        var result = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["POD_NAME"] = pod.Name,
            ["POD_NAMESPACE"] = pod.Namespace,
            ["POD_IP"] = pod.PodIp,
        };
        if (configDirectory is not null)
        {
            result["GATEWAY_CONFIG_DIR"] = configDirectory;
        }

        if (ports.Count > 0)
        {
            result["PORT"] = ports[0].HostPort.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
        {
            result[$"PORT_{port.Name!.ToUpperInvariant().Replace('-', '_')}"] = port.HostPort.ToString(CultureInfo.InvariantCulture);
        }

        var error = ResolveInto(result, pod, container);
        return error is null ? result : throw new ContainerStartException(CreateContainerConfigError, error);
    }

    /// <summary>Adds <paramref name="container"/>'s envFrom and env to <paramref name="environment"/>; returns the kubelet's error, or null.</summary>
    public static string? ResolveInto(Dictionary<string, string> environment, PodState pod, V1Container container)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var objects = pod.Objects;
        foreach (var source in container.EnvFrom ?? [])
        {
            IEnumerable<KeyValuePair<string, string>> values;
            if (source.ConfigMapRef is { } configMapRef)
            {
                if (!objects.ConfigMaps.TryGetValue(configMapRef.Name, out var configMap))
                {
                    if (configMapRef.Optional == true)
                    {
                        continue;
                    }

                    return $"configmap \"{configMapRef.Name}\" not found";
                }

                values = configMap.Data;
            }
            else if (source.SecretRef is { } secretRef)
            {
                if (!objects.Secrets.TryGetValue(secretRef.Name, out var secret))
                {
                    if (secretRef.Optional == true)
                    {
                        continue;
                    }

                    return $"secret \"{secretRef.Name}\" not found";
                }

                values = secret.Select(e => KeyValuePair.Create(e.Key, Encoding.UTF8.GetString(e.Value)));
            }
            else
            {
                continue;
            }

            foreach (var (key, value) in values)
            {
                environment[(source.Prefix ?? "") + key] = value;
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is not { } from)
            {
                environment[variable.Name] = EnvExpansion.Expand(variable.Value ?? "", n => environment.TryGetValue(n, out var v) ? v : null);
                continue;
            }

            var (value, error) = ValueFrom(from, pod, container);
            if (error is not null)
            {
                return error;
            }

            if (value is not null)
            {
                environment[variable.Name] = value;
            }
        }

        return null;
    }

    // (value, null); (null, null) for an optional reference to nothing, which sets no variable; (null, error).
    private static (string? Value, string? Error) ValueFrom(V1EnvVarSource from, PodState pod, V1Container container)
    {
        var objects = pod.Objects;
        if (from.ConfigMapKeyRef is { } configMapKey)
        {
            var optional = configMapKey.Optional == true;
            if (!objects.ConfigMaps.TryGetValue(configMapKey.Name, out var configMap))
            {
                return (null, optional ? null : $"configmap \"{configMapKey.Name}\" not found");
            }

            return configMap.Data.TryGetValue(configMapKey.Key, out var value)
                ? (value, null)
                : (null, optional ? null : $"couldn't find key {configMapKey.Key} in ConfigMap {pod.Namespace}/{configMapKey.Name}");
        }

        if (from.SecretKeyRef is { } secretKey)
        {
            var optional = secretKey.Optional == true;
            if (!objects.Secrets.TryGetValue(secretKey.Name, out var secret))
            {
                return (null, optional ? null : $"secret \"{secretKey.Name}\" not found");
            }

            return secret.TryGetValue(secretKey.Key, out var bytes)
                ? (Encoding.UTF8.GetString(bytes), null)
                : (null, optional ? null : $"couldn't find key {secretKey.Key} in Secret {pod.Namespace}/{secretKey.Name}");
        }

        if (from.FieldRef is { } field)
        {
            return (FieldValue(field.FieldPath, pod), null);
        }

        if (from.ResourceFieldRef is { } resource)
        {
            var target = string.IsNullOrEmpty(resource.ContainerName) ? container : pod.FindSpec(resource.ContainerName) ?? container;
            return (ResourceValue(resource, target.Resources), null);
        }

        return (null, null);
    }

    /// <summary>The value of a <c>fieldRef.fieldPath</c> for <paramref name="pod"/> (kubelet podFieldSelectorRuntimeValue).</summary>
    public static string FieldValue(string fieldPath, PodState pod)
    {
        ArgumentNullException.ThrowIfNull(fieldPath);
        ArgumentNullException.ThrowIfNull(pod);
        if (EnvValidator.Subscripted(fieldPath) is { } subscript)
        {
            var map = subscript.Map == "labels" ? pod.Labels : pod.Annotations;
            return map.TryGetValue(subscript.Key, out var value) ? value : "";
        }

        return fieldPath switch
        {
            "metadata.name" => pod.Name,
            "metadata.namespace" => pod.Namespace,
            "metadata.uid" => pod.Uid,
            "spec.nodeName" => NodeName,
            "spec.serviceAccountName" => "default",
            "status.podIP" or "status.podIPs" or "status.hostIP" or "status.hostIPs" => pod.PodIp,
            _ => "",
        };
    }

    /// <summary>
    /// A <c>resourceFieldRef</c>'s value: the container's limit, else the node's capacity (the
    /// gateway's machine: its CPUs, its memory); a request, else the limit, else 0; divided by the
    /// divisor and rounded up (kubelet ExtractContainerResourceValue).
    /// </summary>
    public static string ResourceValue(V1ResourceFieldSelector selector, V1ResourceRequirements? resources)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var cpu = selector.Resource.EndsWith(".cpu", StringComparison.Ordinal);
        var name = cpu ? "cpu" : "memory";
        var limit = resources?.Limits?.TryGetValue(name, out var l) == true ? l.ToDecimal()
            : cpu ? System.Environment.ProcessorCount : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var amount = selector.Resource.StartsWith("limits.", StringComparison.Ordinal) ? limit
            : resources?.Requests?.TryGetValue(name, out var r) == true ? r.ToDecimal()
            : resources?.Limits?.ContainsKey(name) == true ? limit : 0m;
        var divisor = selector.Divisor?.ToDecimal() is { } d and > 0 ? d : 1m;
        return ((long)Math.Ceiling(amount / divisor)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary><c>command</c> + <c>args</c> expanded; with no command, <c>args[0]</c> is the program.</summary>
    public static ImmutableArray<string> Argv(V1Container container, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(environment);
        return [.. EnvExpansion.Expand(container.Command, environment), .. EnvExpansion.Expand(container.Args, environment)];
    }
}
