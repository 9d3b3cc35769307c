using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// The <c>metadata</c> of an object in a manifest: what a cluster adds (uid, resourceVersion,
/// managedFields ...) is ignored, the rest honoured or refused by name; the namespace is the
/// gateway's one, <c>default</c>.
/// </summary>
internal static class ManifestMetadata
{
    public const string Namespace = "default";

    /// <summary>Checks <paramref name="metadata"/> of a <paramref name="kind"/> that must be named; returns its name, or null when it has none.</summary>
    public static string? Validate(V1ObjectMeta? metadata, string path, string kind, List<FieldError> errors)
    {
        var metadataPath = $"{path}.metadata";
        ValidateUnnamed(metadata, metadataPath, errors);
        var name = metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required($"{metadataPath}.name", $"a {kind} must be named"));
            return null;
        }

        var problems = NameRules.Dns1123Subdomain(name);
        errors.AddInvalid($"{metadataPath}.name", name, problems);
        return problems.Count == 0 ? name : null;
    }

    /// <summary>Checks <paramref name="metadata"/> (at <paramref name="metadataPath"/>) whose name may be absent, a pod template's.</summary>
    public static void ValidateUnnamed(V1ObjectMeta? metadata, string metadataPath, List<FieldError> errors)
    {
        if (metadata is null)
        {
            return;
        }

        SupportedFields.Report(metadata, metadataPath, errors);
        if (!string.IsNullOrEmpty(metadata.NamespaceProperty) && metadata.NamespaceProperty != Namespace)
        {
            errors.Add(FieldError.Invalid($"{metadataPath}.namespace", metadata.NamespaceProperty, $"the gateway's pods, ConfigMaps and Secrets are in namespace {GoSyntax.Quote(Namespace)}; remove the namespace or set it to {GoSyntax.Quote(Namespace)}"));
        }
    }
}
