namespace Gateway.Specs;

/// <summary>
/// A service's <c>DependsOn</c> (each other service by name, with a condition string or an object of
/// <c>Condition</c>, <c>Replicas</c>, <c>Propagate</c>), and then what no service can check alone:
/// a dependency that names no service, a condition its backend cannot reach, a cycle.
/// </summary>
internal static class DependsOnLoader
{
    private static readonly string[] EntryKeys = ["Condition", "Replicas", "Propagate"];
    private static readonly string[] Conditions = Enum.GetNames<DependencyCondition>();
    private static readonly string[] Propagations = Enum.GetNames<DependencyPropagation>();

    /// <summary>The entries of <c>DependsOn</c> on <paramref name="service"/>; bad ones are left out, with errors.</summary>
    public static List<DependencySpec> Load(SettingsSection service)
    {
        var dependsOn = service.Object("DependsOn", known: null);
        var found = new List<DependencySpec>();
        var entries = dependsOn.Children().ToList();
        if (entries.Count > 0 && entries.All(e => int.TryParse(e.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            // A JSON list arrives keyed 0, 1, ...: compose's short form, which names no condition.
            dependsOn.Errors.Add(FieldError.InvalidOmitValue(dependsOn.Path, "must be an object of services by name with a condition each, e.g. { \"db\": \"Ready\" }, not a list"));
            return found;
        }

        foreach (var entry in entries)
        {
            if (entry.Key == service.Key)
            {
                dependsOn.Errors.Add(FieldError.Invalid(entry.Path, entry.Key, $"a service cannot depend on itself (cycle: {entry.Key} -> {entry.Key})"));
                continue;
            }

            if (LoadEntry(entry) is { } dependency)
            {
                found.Add(dependency);
            }
        }

        return found;
    }

    private static DependencySpec? LoadEntry(SettingsSection entry)
    {
        var before = entry.Errors.Count;
        if (entry.Value is { } text)
        {
            return ParseEnum<DependencyCondition>(text, entry.Path, Conditions, entry.Errors) is { } only ? new DependencySpec(entry.Key, only) : null;
        }

        if (!entry.HasChildren)
        {
            entry.Errors.Add(FieldError.Required(entry.Path, "give a condition: \"Started\", \"Ready\" or \"Succeeded\", or { \"Condition\": \"Ready\", \"Replicas\": \"All\", \"Propagate\": \"Readiness\" }"));
            return null;
        }

        entry.RefuseUnknownKeys(EntryKeys);
        var conditionText = entry.Scalar("Condition");
        DependencyCondition? parsed = conditionText is { Length: > 0 } c ? ParseEnum<DependencyCondition>(c, entry.PathOf("Condition"), Conditions, entry.Errors) : null;
        if (conditionText is not { Length: > 0 })
        {
            entry.Errors.Add(FieldError.Required(entry.PathOf("Condition"), "one of \"Started\", \"Ready\", \"Succeeded\""));
        }

        var all = false;
        if (entry.Scalar("Replicas") is { Length: > 0 } replicas)
        {
            if (!replicas.Equals("All", StringComparison.OrdinalIgnoreCase))
            {
                entry.Errors.Add(FieldError.NotSupported(entry.PathOf("Replicas"), replicas, ["All"]));
            }
            else if (parsed is not null and not DependencyCondition.Ready)
            {
                entry.Errors.Add(FieldError.Invalid(entry.PathOf("Replicas"), replicas, $"only with Condition \"Ready\": every replica Ready; {parsed} has no count"));
            }
            else
            {
                all = true;
            }
        }

        var propagate = entry.Scalar("Propagate") is { Length: > 0 } p
            ? ParseEnum<DependencyPropagation>(p, entry.PathOf("Propagate"), Propagations, entry.Errors)
            : DependencyPropagation.None;
        if (propagate is not DependencyPropagation.None && parsed is DependencyCondition.Succeeded)
        {
            entry.Errors.Add(FieldError.Invalid(entry.PathOf("Propagate"), propagate.ToString(), "a Job that has Succeeded stays so: only \"None\" with Condition \"Succeeded\""));
        }

        return entry.Errors.Count != before || parsed is not { } condition || propagate is not { } mode ? null : new DependencySpec(entry.Key, condition, all, mode);
    }

    private static T? ParseEnum<T>(string text, string path, string[] names, List<FieldError> errors)
        where T : struct, Enum
    {
        if (names.FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } known)
        {
            return Enum.Parse<T>(known);
        }

        errors.Add(FieldError.NotSupported(path, text, names));
        return null;
    }

    /// <summary>
    /// Errors of the dependencies between <paramref name="services"/> (the valid ones) given every
    /// service's name in <paramref name="names"/> (a dependency on a service with its own errors is
    /// not called missing): a missing service, a condition its backend cannot reach, each cycle once.
    /// </summary>
    public static IEnumerable<FieldError> Validate(IReadOnlyList<ServiceSpec> services, IReadOnlyCollection<string> names, string servicesPath)
    {
        var byName = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var service in services)
        {
            foreach (var dependency in service.DependsOn)
            {
                var path = $"{servicesPath}:{service.Name}:DependsOn:{dependency.Service}";
                if (!names.Contains(dependency.Service))
                {
                    yield return FieldError.NotFound(path, dependency.Service) with
                    {
                        Detail = $"no service is named {GoSyntax.Quote(dependency.Service)}; services: {string.Join(", ", names.Order(StringComparer.Ordinal))}",
                    };
                }
                else if (byName.TryGetValue(dependency.Service, out var target) && Unreachable(dependency, target) is { } why)
                {
                    yield return FieldError.Invalid(path, dependency.Condition.ToString(), why);
                }
            }
        }

        var graph = services.ToDictionary(s => s.Name, s => (IReadOnlyList<string>)[.. s.DependsOn.Select(d => d.Service)], StringComparer.Ordinal);
        foreach (var cycle in DependencyGraph.Cycles(graph))
        {
            yield return FieldError.Invalid($"{servicesPath}:{cycle[0]}:DependsOn:{cycle[1]}", cycle[1],
                $"dependency cycle: {string.Join(" -> ", cycle)}; no service of it could ever start: remove one of these DependsOn entries");
        }
    }

    /// <summary>Why <paramref name="target"/>'s backend can never reach the condition; null when it can.</summary>
    private static string? Unreachable(DependencySpec dependency, ServiceSpec target)
    {
        var job = target.Pods?.Job is not null;
        return (dependency.Condition, target.Backend) switch
        {
            (DependencyCondition.Succeeded, PodsBackend) => job ? null : $"service {GoSyntax.Quote(target.Name)} is not a Job and never completes: give it a Job key, or wait for it with \"Ready\"",
            (DependencyCondition.Succeeded, _) => $"service {GoSyntax.Quote(target.Name)} is not a Job the gateway runs (Runtime {KindOf(target)}): wait for it with \"Ready\"",
            (DependencyCondition.Ready, PodsBackend) when job => $"service {GoSyntax.Quote(target.Name)} is a Job, whose pod runs to completion and is not routed: wait for it with \"Succeeded\" (or \"Started\")",
            (DependencyCondition.Started, ClusterBackend or StaticBackend) => $"the gateway starts nothing of service {GoSyntax.Quote(target.Name)} (Runtime {KindOf(target)}): wait for it with \"Ready\"",
            (DependencyCondition.Ready, ClusterBackend or StaticBackend) when dependency.AllReplicas => $"service {GoSyntax.Quote(target.Name)} (Runtime {KindOf(target)}) has no replica count: remove \"Replicas\": \"All\"",
            _ => null,
        };
    }

    private static string KindOf(ServiceSpec service) => service.Backend is ClusterBackend ? "Kubernetes" : "Static";
}

/// <summary>The dependency graph as plain data: its cycles, and the order services stop in.</summary>
public static class DependencyGraph
{
    /// <summary>
    /// Each elementary cycle found by a depth-first walk, once, as its path from its smallest name back
    /// to it (<c>[api, web, api]</c>); edges to names outside the graph are ignored.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOn)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        var found = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var stack = new List<string>();
        void Visit(string node)
        {
            stack.Add(node);
            seen.Add(node);
            foreach (var next in dependsOn.GetValueOrDefault(node) ?? [])
            {
                if (!dependsOn.ContainsKey(next) || done.Contains(next))
                {
                    continue;
                }

                var at = stack.IndexOf(next);
                if (at >= 0)
                {
                    var cycle = stack.Skip(at).ToList();
                    var start = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
                    List<string> path = [.. cycle.Skip(start), .. cycle.Take(start)];
                    path.Add(path[0]);
                    if (!found.Any(f => f.SequenceEqual(path)))
                    {
                        found.Add(path);
                    }
                }
                else if (!seen.Contains(next))
                {
                    Visit(next);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            done.Add(node);
        }

        foreach (var node in dependsOn.Keys.Order(StringComparer.Ordinal))
        {
            if (!seen.Contains(node))
            {
                Visit(node);
            }
        }

        return found;
    }

    /// <summary>
    /// The order services stop in at shutdown: waves, dependents before what they depend on; the
    /// services of one wave stop in parallel. Names are sorted within a wave; a cycle (refused by
    /// validation) cannot hang it: what is left goes last, together.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> ShutdownWaves(IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOn)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        var left = new HashSet<string>(dependsOn.Keys, StringComparer.Ordinal);
        var waves = new List<IReadOnlyList<string>>();
        while (left.Count > 0)
        {
            // A service stops once nothing still running depends on it.
            var wave = left.Where(s => !left.Any(other => other != s && dependsOn[other].Contains(s))).Order(StringComparer.Ordinal).ToList();
            if (wave.Count == 0)
            {
                wave = [.. left.Order(StringComparer.Ordinal)];
            }

            waves.Add(wave);
            left.ExceptWith(wave);
        }

        return waves;
    }
}
