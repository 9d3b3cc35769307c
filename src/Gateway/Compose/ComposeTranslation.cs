using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>How a compose file is translated: the runtime its services run on, and the prefix of their names.</summary>
/// <param name="Runtime">Process (the program named by <c>command</c>/<c>entrypoint</c> runs on this host; <c>image</c> is shown only) or Docker (the image runs).</param>
/// <param name="Prefix">The gateway services are named <c>{Prefix}-{service}</c>; empty: the compose names as they are.</param>
/// <param name="Environment">The variables <c>${VAR}</c> and a bare <c>environment</c> name read (compose's shell environment); the file's <c>.env</c> comes after them.</param>
internal sealed record ComposeOptions(RuntimeKind Runtime, string Prefix, Func<string, string?> Environment)
{
    public static ComposeOptions For(RuntimeKind runtime, string prefix = "") => new(runtime, prefix, System.Environment.GetEnvironmentVariable);

    /// <summary>The gateway service name of compose service <paramref name="name"/>.</summary>
    public string ServiceName(string name) => Prefix.Length == 0 ? name : $"{Prefix}-{name}";
}

/// <summary>One translated service: its gateway name and its settings, in the shape a user writes under <c>Gateway:Services</c>.</summary>
internal sealed record TranslatedService(string Name, JsonObject Settings);

/// <summary>A compose file's services translated, and every file read to do it (the compose file, its <c>.env</c> and <c>env_file</c>s), which reload watches.</summary>
internal sealed record Translation(List<TranslatedService> Services, List<string> Files);

/// <summary>Builds the JSON of one service's settings and its single container, in the order a user would write them.</summary>
internal static class SettingsJson
{
    public static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);

    /// <summary>Kubernetes expands <c>$(VAR)</c> in command, args and env values; compose does not: <c>$$(</c> keeps it literal.</summary>
    public static string Literal(string text) => text.Replace("$(", "$$(", StringComparison.Ordinal);

    public static JsonArray Env(IEnumerable<KeyValuePair<string, string>> variables) =>
        new([.. variables.Select(v => (JsonNode?)new JsonObject { ["name"] = v.Key, ["value"] = Literal(v.Value) })]);

    /// <summary>An exec probe of <paramref name="command"/>.</summary>
    public static JsonObject ExecProbe(IEnumerable<string> command) => new() { ["exec"] = new JsonObject { ["command"] = Strings(command) } };

    /// <summary>The service object: Runtime, Replicas, Route, DependsOn, Job, Template (null members left out).</summary>
    public static JsonObject Service(RuntimeKind runtime, int? replicas, IReadOnlyList<string> hosts, JsonObject? dependsOn, JsonObject? job, JsonObject? metadata, JsonObject spec)
    {
        var service = new JsonObject { ["Runtime"] = runtime.ToString() };
        if (replicas is { } n)
        {
            service["Replicas"] = n;
        }

        service["Route"] = new JsonObject { ["Hosts"] = Strings(hosts) };
        if (dependsOn is { Count: > 0 })
        {
            service["DependsOn"] = dependsOn;
        }

        if (job is not null)
        {
            service["Job"] = job;
        }

        var template = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            template["metadata"] = metadata;
        }

        template["spec"] = spec;
        service["Template"] = template;
        return service;
    }

    /// <summary>
    /// The route of a compose service: its name as a host, <c>{service}.localhost</c> (compose's
    /// network DNS name; curl and browsers resolve <c>*.localhost</c> to loopback), and
    /// <c>*:{published}</c> for each published TCP port, so that a proxy listener on that port
    /// (<c>Gateway:Proxy:Urls</c>) answers as the published port did.
    /// </summary>
    public static List<string> Hosts(string serviceName, IEnumerable<int> published) =>
        [$"{serviceName}.localhost", .. published.Distinct().Select(p => $"*:{p}")];
}
