namespace Gateway.Pods;

/// <summary>
/// A container's CrashLoopBackOff, as the kubelet keeps it per pod and container
/// (<c>flowcontrol.Backoff</c>, checked by <c>doBackOff</c> against the end of the latest dead
/// instance): the current delay and when it was last moved on. Immutable; the functions return a new one.
/// </summary>
public sealed record RestartBackoff(TimeSpan Delay, DateTimeOffset LastUpdate)
{
    /// <summary>
    /// Whether a container whose latest dead instance ended at <paramref name="lastExit"/> may start
    /// at <paramref name="now"/>: <c>WaitUntil</c> is null when it may (and <c>Backoff</c> is the entry
    /// moved on, as the kubelet's <c>Next</c> does on every start it lets through), else when the
    /// back-off ends (and <c>Backoff</c> is unchanged). A container with no dead instance starts at once
    /// and moves nothing.
    /// </summary>
    public static (DateTimeOffset? WaitUntil, RestartBackoff? Backoff) Decide(RestartBackoff? backoff, DateTimeOffset? lastExit, DateTimeOffset now)
    {
        if (lastExit is not { } ended)
        {
            return (null, backoff);
        }

        if (backoff is not null && !Expired(ended, backoff.LastUpdate) && now - ended < backoff.Delay)
        {
            return (ended + backoff.Delay, backoff);
        }

        return (null, Next(backoff, ended, now));
    }

    /// <summary>The kubelet's <c>Next</c>: 10 s for a new or expired entry, else twice the delay, at most 300 s.</summary>
    public static RestartBackoff Next(RestartBackoff? backoff, DateTimeOffset lastExit, DateTimeOffset now)
    {
        if (backoff is null || Expired(lastExit, backoff.LastUpdate))
        {
            return new RestartBackoff(RestartRules.InitialBackoff, now);
        }

        var doubled = backoff.Delay * 2;
        return new RestartBackoff(doubled < RestartRules.MaximumBackoff ? doubled : RestartRules.MaximumBackoff, now);
    }

    /// <summary>
    /// The kubelet's <c>hasExpired</c>: an instance that ended more than twice the maximum delay (10
    /// minutes) after the back-off last moved ran long enough to start the loop over.
    /// </summary>
    public static bool Expired(DateTimeOffset lastExit, DateTimeOffset lastUpdate) => lastExit - lastUpdate > RestartRules.BackoffReset;
}
