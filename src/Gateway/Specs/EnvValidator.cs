using System.Text.RegularExpressions;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>A container's <c>env</c> and <c>envFrom</c>, checked as the API server checks them (k8s validateEnv, validateEnvFrom).</summary>
internal static partial class EnvValidator
{
    /// <summary>The <c>fieldRef.fieldPath</c>s the gateway resolves, besides <c>metadata.labels['x']</c> and <c>metadata.annotations['x']</c>.</summary>
    public static readonly string[] FieldPaths =
    [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ];

    /// <summary>The <c>resourceFieldRef.resource</c>s the gateway resolves.</summary>
    public static readonly string[] Resources = ["limits.cpu", "limits.memory", "requests.cpu", "requests.memory"];

    private static readonly string[] CpuDivisors = ["1m", "1"];
    private static readonly string[] MemoryDivisors = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"];

    /// <param name="containers">The names of every container of the pod, which a <c>resourceFieldRef.containerName</c> may name.</param>
    public static void Validate(V1Container container, string path, IReadOnlySet<string> containers, List<FieldError> errors)
    {
        var envPath = FieldPath.Child(path, "env");

        // Repeated names are allowed, as in Kubernetes: the last one wins.
        for (var i = 0; i < (container.Env?.Count ?? 0); i++)
        {
            var variablePath = FieldPath.Index(envPath, i);
            if (container.Env![i] is not { } variable)
            {
                errors.Add(FieldError.Required(variablePath));
                continue;
            }

            SupportedFields.Report(variable, variablePath, errors);
            var namePath = FieldPath.Child(variablePath, "name");
            if (string.IsNullOrEmpty(variable.Name))
            {
                errors.Add(FieldError.Required(namePath));
            }
            else
            {
                errors.AddInvalid(namePath, variable.Name, NameRules.EnvVarName(variable.Name));
            }

            if (variable.ValueFrom is { } from)
            {
                ValidateValueFrom(from, FieldPath.Child(variablePath, "valueFrom"), !string.IsNullOrEmpty(variable.Value), containers, errors);
            }
        }

        var envFromPath = FieldPath.Child(path, "envFrom");
        for (var i = 0; i < (container.EnvFrom?.Count ?? 0); i++)
        {
            var sourcePath = FieldPath.Index(envFromPath, i);
            if (container.EnvFrom![i] is not { } source)
            {
                errors.Add(FieldError.Required(sourcePath));
                continue;
            }

            SupportedFields.Report(source, sourcePath, errors);
            if (!string.IsNullOrEmpty(source.Prefix))
            {
                errors.AddInvalid(FieldPath.Child(sourcePath, "prefix"), source.Prefix, NameRules.EnvVarName(source.Prefix));
            }

            var count = (source.ConfigMapRef is null ? 0 : 1) + (source.SecretRef is null ? 0 : 1);
            if (count != 1)
            {
                errors.Add(FieldError.Invalid(sourcePath, "", count == 0 ? "must specify one of: `configMapRef` or `secretRef`" : "may not have more than one field specified at a time"));
            }

            if (source.ConfigMapRef is { } configMap)
            {
                SupportedFields.Report(configMap, FieldPath.Child(sourcePath, "configMapRef"), errors);
                ValidateObjectName(configMap.Name, FieldPath.Child(FieldPath.Child(sourcePath, "configMapRef"), "name"), errors);
            }

            if (source.SecretRef is { } secret)
            {
                SupportedFields.Report(secret, FieldPath.Child(sourcePath, "secretRef"), errors);
                ValidateObjectName(secret.Name, FieldPath.Child(FieldPath.Child(sourcePath, "secretRef"), "name"), errors);
            }
        }
    }

    private static void ValidateValueFrom(V1EnvVarSource from, string path, bool hasValue, IReadOnlySet<string> containers, List<FieldError> errors)
    {
        var unsupported = SupportedFields.Report(from, path, errors);
        var count = new object?[] { from.FieldRef, from.ResourceFieldRef, from.ConfigMapKeyRef, from.SecretKeyRef }.Count(s => s is not null);
        if (count == 0 && unsupported == 0)
        {
            errors.Add(FieldError.Invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
        }
        else if (count + unsupported > 1)
        {
            errors.Add(FieldError.Invalid(path, "", "may not have more than one field specified at a time"));
        }

        if (hasValue)
        {
            errors.Add(FieldError.Invalid(path, "", "may not be specified when `value` is not empty"));
        }

        if (from.FieldRef is { } field)
        {
            var fieldPath = FieldPath.Child(path, "fieldRef");
            SupportedFields.Report(field, fieldPath, errors);
            ValidateFieldPath(field, fieldPath, errors);
        }

        if (from.ResourceFieldRef is { } resource)
        {
            ValidateResourceField(resource, FieldPath.Child(path, "resourceFieldRef"), containers, errors);
        }

        foreach (var (name, key, selectorPath, selector) in new (string?, string?, string, object?)[]
        {
            (from.ConfigMapKeyRef?.Name, from.ConfigMapKeyRef?.Key, FieldPath.Child(path, "configMapKeyRef"), from.ConfigMapKeyRef),
            (from.SecretKeyRef?.Name, from.SecretKeyRef?.Key, FieldPath.Child(path, "secretKeyRef"), from.SecretKeyRef),
        })
        {
            if (selector is null)
            {
                continue;
            }

            SupportedFields.Report(selector, selectorPath, errors);
            ValidateObjectName(name, FieldPath.Child(selectorPath, "name"), errors);
            if (string.IsNullOrEmpty(key))
            {
                errors.Add(FieldError.Required(FieldPath.Child(selectorPath, "key")));
            }
            else
            {
                errors.AddInvalid(FieldPath.Child(selectorPath, "key"), key, NameRules.ConfigMapKey(key));
            }
        }
    }

    private static void ValidateFieldPath(V1ObjectFieldSelector field, string path, List<FieldError> errors)
    {
        if (!string.IsNullOrEmpty(field.ApiVersion) && field.ApiVersion != "v1")
        {
            errors.Add(FieldError.NotSupported(FieldPath.Child(path, "apiVersion"), field.ApiVersion, ["v1"]));
        }

        var fieldPath = FieldPath.Child(path, "fieldPath");
        if (string.IsNullOrEmpty(field.FieldPath))
        {
            errors.Add(FieldError.Required(fieldPath));
            return;
        }

        if (Subscript().Match(field.FieldPath) is { Success: true } subscript)
        {
            errors.AddInvalid(fieldPath, subscript.Groups[2].Value, NameRules.QualifiedName(subscript.Groups[2].Value));
            return;
        }

        if (!FieldPaths.Contains(field.FieldPath, StringComparer.Ordinal))
        {
            errors.Add(FieldError.NotSupported(fieldPath, field.FieldPath, [.. FieldPaths, "metadata.labels['<KEY>']", "metadata.annotations['<KEY>']"]));
        }
    }

    private static void ValidateResourceField(V1ResourceFieldSelector resource, string path, IReadOnlySet<string> containers, List<FieldError> errors)
    {
        SupportedFields.Report(resource, path, errors);
        if (!string.IsNullOrEmpty(resource.ContainerName) && !containers.Contains(resource.ContainerName))
        {
            errors.Add(FieldError.NotFound(FieldPath.Child(path, "containerName"), resource.ContainerName));
        }

        if (string.IsNullOrEmpty(resource.Resource))
        {
            errors.Add(FieldError.Required(FieldPath.Child(path, "resource")));
            return;
        }

        if (!Resources.Contains(resource.Resource, StringComparer.Ordinal))
        {
            errors.Add(FieldError.NotSupported(FieldPath.Child(path, "resource"), resource.Resource, Resources));
            return;
        }

        if (resource.Divisor is { } divisor)
        {
            var cpu = resource.Resource.EndsWith(".cpu", StringComparison.Ordinal);
            var text = divisor.ToString();
            if (!(cpu ? CpuDivisors : MemoryDivisors).Contains(text, StringComparer.Ordinal))
            {
                errors.Add(FieldError.Invalid(FieldPath.Child(path, "divisor"), text, cpu
                    ? "only divisor's values 1m and 1 are supported with the cpu resource"
                    : "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"));
            }
        }
    }

    /// <summary>A ConfigMap's or Secret's name, as a reference: required, and a DNS subdomain.</summary>
    public static void ValidateObjectName(string? name, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required(path));
        }
        else
        {
            errors.AddInvalid(path, name, NameRules.Dns1123Subdomain(name));
        }
    }

    /// <summary><c>metadata.labels['key']</c> or <c>metadata.annotations['key']</c>: the map, and the key.</summary>
    public static (string Map, string Key)? Subscripted(string fieldPath) =>
        Subscript().Match(fieldPath) is { Success: true } match ? (match.Groups[1].Value, match.Groups[2].Value) : null;

    [GeneratedRegex(@"^metadata\.(labels|annotations)\['(.*)'\]\z")]
    private static partial Regex Subscript();
}
