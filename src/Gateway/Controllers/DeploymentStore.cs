using System.Collections.Immutable;
using System.Globalization;
using Gateway.Events;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>
/// The replicated services as Deployments: the API's overrides laid over the settings file
/// (<see cref="ServiceOverride.Apply"/>), their template revisions and generations. The replica
/// controller reads the services it runs through <see cref="Observe"/>; the admin API writes
/// through <see cref="Change"/>. Records are swapped whole; writers take the lock.
/// </summary>
internal sealed class DeploymentStore
{
    /// <summary>The annotation that says where a Deployment's spec comes from.</summary>
    public const string SourceAnnotation = "gateway.io/spec-source";

    public const string SourceFile = "file";

    public const string SourceApi = "api";

    private readonly Lock _lock = new();
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private volatile ImmutableDictionary<string, DeploymentRecord> _records = ImmutableDictionary.Create<string, DeploymentRecord>(StringComparer.Ordinal);

    public DeploymentStore(EventRecorder events, TimeProvider time)
    {
        _events = events;
        _time = time;
    }

    /// <summary>Raised after the API changed a service, for the replica controller to act.</summary>
    public event Action? Changed;

    public DeploymentRecord? Find(string service) => _records.GetValueOrDefault(service);

    /// <summary>Whether <paramref name="service"/> is a Deployment: pods the gateway runs from a template, not a bare Pod manifest nor a Job.</summary>
    public static bool IsDeployment(ServiceSpec service) => service?.Pods is { PodName: null, Job: null };

    /// <summary>The service the controller runs for a file entry, and its record (observed now if new).</summary>
    public (ServiceSpec Effective, DeploymentRecord Record) Read(ServiceSpec file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var record = _records.GetValueOrDefault(file.Name);
        var (effective, holds) = ServiceOverride.Apply(file, record?.Override);
        if (record is not null && (holds || record.Override is null) && record.SpecKey == SpecKey(effective, holds && record.Paused))
        {
            return (effective, record);
        }

        lock (_lock)
        {
            record = _records.GetValueOrDefault(file.Name);
            return Update(file, record, record?.Override);
        }
    }

    /// <summary>
    /// The services the controller runs, with the generation of each Deployment read: once acted on,
    /// pass them to <see cref="MarkObserved"/>. Records of services gone from the file are dropped.
    /// </summary>
    public (IReadOnlyList<ServiceSpec> Services, IReadOnlyDictionary<string, long> Generations) Observe(IReadOnlyList<ServiceSpec> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var services = new List<ServiceSpec>(files.Count);
        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!IsDeployment(file))
            {
                services.Add(file);
                continue;
            }

            var (effective, record) = Read(file);
            services.Add(effective);
            generations[file.Name] = record.Generation;
        }

        lock (_lock)
        {
            var gone = _records.Keys.Where(k => !generations.ContainsKey(k)).ToList();
            if (gone.Count > 0)
            {
                _records = _records.RemoveRange(gone);
            }
        }

        return (services, generations);
    }

    /// <summary>The replica controller has acted on these generations.</summary>
    public void MarkObserved(IReadOnlyDictionary<string, long> generations)
    {
        ArgumentNullException.ThrowIfNull(generations);
        lock (_lock)
        {
            foreach (var (name, generation) in generations)
            {
                if (_records.TryGetValue(name, out var record) && record.ObservedGeneration < generation)
                {
                    _records = _records.SetItem(name, record with { ObservedGeneration = Math.Min(generation, record.Generation) });
                }
            }
        }
    }

    /// <summary>
    /// Changes a Deployment through the API: <paramref name="change"/> gets the override in force (a
    /// new one on this file entry when none holds) and returns the next. Returns the record after.
    /// </summary>
    public DeploymentRecord Change(ServiceSpec file, Func<ServiceOverride, ServiceOverride> change, string message)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(change);
        DeploymentRecord after;
        lock (_lock)
        {
            var record = _records.GetValueOrDefault(file.Name);
            var fingerprint = ServiceOverride.Fingerprint(file);
            var current = record?.Override is { } o && o.FileFingerprint == fingerprint ? o : new ServiceOverride(fingerprint);
            var next = change(current);
            (_, after) = Update(file, record, next.IsEmpty ? null : next);
        }

        var source = after.Override is null ? "the spec is the settings file's again" : "the spec now comes from the API until the service's entry in the settings file changes";
        _events.Record("default", file.Name, "", EventType.Normal, "SpecChanged", $"{message}; {source}", kind: "Deployment");
        Changed?.Invoke();
        return after;
    }

    private static string SpecKey(ServiceSpec effective, bool paused) =>
        string.Create(CultureInfo.InvariantCulture, $"{effective.Pods!.Replicas}|{effective.Pods.TemplateHash}|{paused}");

    /// <summary>Sets the record of <paramref name="file"/> with the override given, void when made on another version of the entry; under the lock.</summary>
    private (ServiceSpec, DeploymentRecord) Update(ServiceSpec file, DeploymentRecord? record, ServiceOverride? change)
    {
        var (effective, holds) = ServiceOverride.Apply(file, change);
        if (change is not null && !holds)
        {
            // The file's entry changed since the API's change: the file wins.
            _events.Record("default", file.Name, "", EventType.Normal, "SpecFromFile",
                "the service's entry in the settings file changed: its replicas and template apply again, the changes made through the API are dropped", kind: "Deployment");
            change = null;
        }

        var now = _time.GetUtcNow();
        var template = change?.Template ?? PodTemplate.Of(file.Pods!);
        var key = SpecKey(effective, change?.Paused ?? false);
        var next = record is null
            ? new DeploymentRecord(change, RevisionHistory.Empty.Observe(template, now), 1, 0, key, now)
            : record with
            {
                Override = change,
                History = record.Paused && change?.Paused == true ? record.History : record.History.Observe(template, now),
                Generation = record.SpecKey == key ? record.Generation : record.Generation + 1,
                SpecKey = key,
            };
        _records = _records.SetItem(file.Name, next);
        return (effective, next);
    }
}
