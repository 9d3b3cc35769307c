using System.Collections.Concurrent;

namespace Gateway.Events;

/// <summary>
/// The gateway's own readiness, shown by <c>/readyz</c> in the API server's style. A problem (a
/// refused configuration reload, an unreachable engine or API server) is reported there but does not
/// make the gateway unready: it keeps serving what it has.
/// </summary>
internal sealed class GatewayStatus
{
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);

    public volatile bool Started;

    /// <summary>Current problems by check name, e.g. <c>config</c>.</summary>
    public IReadOnlyDictionary<string, string> Problems => _problems;

    /// <summary>Sets or (with null) clears the problem of one check.</summary>
    public void SetProblem(string check, string? message)
    {
        if (message is null)
        {
            _problems.TryRemove(check, out _);
        }
        else
        {
            _problems[check] = message;
        }
    }
}
