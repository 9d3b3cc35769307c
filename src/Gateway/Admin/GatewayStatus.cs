using System.Collections.Immutable;

namespace Gateway.Admin;

/// <summary>The gateway's own readiness, shown by <c>/readyz</c>.</summary>
internal sealed class GatewayStatus
{
    public volatile bool Started;

    private IReadOnlyList<string> _errors = [];
    private ImmutableDictionary<string, string> _componentErrors = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Errors that make the gateway not ready (e.g. a configuration that failed to reload), then each component's current error.</summary>
    public IReadOnlyList<string> Errors
    {
        get => [.. _errors, .. _componentErrors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value)];
        set => _errors = value;
    }

    /// <summary>Sets or (with null) clears the error that <paramref name="component"/> reports, e.g. an engine that does not answer.</summary>
    public void SetError(string component, string? error) =>
        ImmutableInterlocked.Update(ref _componentErrors, errors => error is null ? errors.Remove(component) : errors.SetItem(component, error));
}
