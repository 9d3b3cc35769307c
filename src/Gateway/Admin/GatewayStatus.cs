using System.Collections.Concurrent;

namespace Gateway.Admin;

/// <summary>The gateway's own readiness, shown by <c>/readyz</c>.</summary>
internal sealed class GatewayStatus
{
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);

    public volatile bool Started;

    /// <summary>Errors that make the gateway not ready (e.g. a configuration that failed to reload).</summary>
    public IReadOnlyList<string> Errors { get; set; } = [];

    /// <summary>Conditions that make the gateway not ready while they last, each kept by its source (e.g. a cluster that cannot be reached).</summary>
    public IReadOnlyList<string> Problems => [.. _problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];

    /// <summary>Sets (or, with null, clears) the problem that <paramref name="source"/> reports.</summary>
    public void SetProblem(string source, string? message)
    {
        if (message is null)
        {
            _problems.TryRemove(source, out _);
        }
        else
        {
            _problems[source] = message;
        }
    }
}
