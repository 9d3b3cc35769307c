using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// A service's <c>volumes</c> as far as a pod spec can take them: a bind mount
/// (<c>./data:/data:ro</c>, or <c>type: bind</c>) is a <c>hostPath</c> volume of the same folder
/// (a relative source is relative to the compose file, as compose has it) and its volumeMount; a
/// <c>tmpfs</c> is an <c>emptyDir</c> in memory. A named volume is refused: compose keeps it in the
/// engine, the gateway has no store of volumes.
/// </summary>
internal static class ComposeVolumes
{
    private static readonly string[] LongKeys = ["type", "source", "target", "read_only", "bind", "tmpfs", "consistency"];

    /// <summary>The pod's volumes, the container's mounts written into <paramref name="container"/>; null when there are none.</summary>
    public static JsonArray? Read(YamlTree service, string directory, JsonObject container)
    {
        var volumes = new JsonArray();
        var mounts = new JsonArray();
        void Add(JsonObject source, string target, bool readOnly)
        {
            var name = $"volume-{volumes.Count}";
            source["name"] = name;
            volumes.Add(source);
            var mount = new JsonObject { ["name"] = name, ["mountPath"] = target };
            if (readOnly)
            {
                mount["readOnly"] = true;
            }

            mounts.Add(mount);
        }

        foreach (var item in service.Child("volumes").Items())
        {
            if (item.IsMapping)
            {
                foreach (var (key, value) in item.Entries().Where(e => !LongKeys.Contains(e.Key)))
                {
                    item.Errors.Add(ComposeTranslator.Unknown(value.Path, LongKeys));
                }

                var type = item.Child("type").Scalar();
                var target = item.Child("target").Scalar();
                if (target is not { Length: > 0 })
                {
                    item.Errors.Add(FieldError.Required(item.Child("target").Path, "the path in the container"));
                    continue;
                }

                if (type == "bind" && item.Child("source").Scalar() is { Length: > 0 } source)
                {
                    Add(HostPath(source, directory), target, item.Child("read_only").Boolean() ?? false);
                }
                else if (type == "tmpfs")
                {
                    Add(new JsonObject { ["emptyDir"] = new JsonObject { ["medium"] = "Memory" } }, target, false);
                }
                else
                {
                    item.Errors.Add(ComposeTranslator.NotSupported(item.Path, Refusal(type)));
                }
            }
            else if (item.Scalar() is { } text)
            {
                // SOURCE:TARGET[:MODE]; a lone path is an anonymous volume.
                var parts = text.Split(':');
                if (parts.Length is 2 or 3 && IsPath(parts[0]) && (parts.Length == 2 || parts[2] is "ro" or "rw" or "z" or "Z" or "ro,z" or "ro,Z"))
                {
                    Add(HostPath(parts[0], directory), parts[1], parts.Length == 3 && parts[2].StartsWith("ro", StringComparison.Ordinal));
                }
                else
                {
                    item.Errors.Add(ComposeTranslator.NotSupported(item.Path, Refusal(parts.Length == 1 ? "anonymous" : "volume")));
                }
            }
        }

        if (volumes.Count == 0)
        {
            return null;
        }

        container["volumeMounts"] = mounts;
        return volumes;
    }

    private static string Refusal(string? type) => type switch
    {
        "volume" or "anonymous" => "a named or anonymous volume lives in the engine and the gateway has none: bind a folder (./data:/data), or after `gateway convert` use an emptyDir",
        _ => "only bind mounts (./data:/data) and tmpfs are translated; after `gateway convert`, write the volume in the Template",
    };

    private static bool IsPath(string source) => source.StartsWith('.') || source.StartsWith('/') || source.StartsWith('~');

    private static JsonObject HostPath(string source, string directory)
    {
        var path = source.StartsWith('~')
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), source.TrimStart('~').TrimStart('/'))
            : Path.GetFullPath(Path.Combine(directory, source));
        return new JsonObject { ["hostPath"] = new JsonObject { ["path"] = Path.TrimEndingDirectorySeparator(path) } };
    }
}
