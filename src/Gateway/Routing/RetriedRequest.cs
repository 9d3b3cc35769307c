namespace Gateway.Routing;

/// <summary>
/// A request feature set by <see cref="RetryMiddleware"/> when it sends a request again: how many
/// times it did. Absent on the requests that were not retried (almost all), so it costs them nothing.
/// </summary>
public sealed class RetriedRequest
{
    public int Retries { get; internal set; }
}
