using System.Collections;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// The destinations <see cref="ReadyDestinationsPolicy"/> let through, each with the endpoint it
/// stands for. YARP computes availability only when health or config changes and hands this same
/// list to every request (<c>IReverseProxyFeature.AvailableDestinations</c>), so what the request path
/// needs of an endpoint (slow start's <see cref="Endpoint.ReadySince"/>) travels with it, read
/// without a lookup. Immutable: many requests read one instance at once.
/// </summary>
internal sealed class ReadyDestinations : IReadOnlyList<DestinationState>
{
    public static readonly ReadyDestinations Empty = new([], []);

    private readonly DestinationState[] _destinations;
    private readonly Endpoint[] _endpoints;

    public ReadyDestinations(DestinationState[] destinations, Endpoint[] endpoints)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(endpoints);
        if (destinations.Length != endpoints.Length)
        {
            throw new ArgumentException("one endpoint per destination", nameof(endpoints));
        }

        _destinations = destinations;
        _endpoints = endpoints;
    }

    public int Count => _destinations.Length;

    public DestinationState this[int index] => _destinations[index];

    /// <summary>The endpoint the destination at <paramref name="index"/> stands for.</summary>
    public Endpoint EndpointAt(int index) => _endpoints[index];

    /// <summary>
    /// <paramref name="candidates"/> without <paramref name="destination"/> (a retry's next choice),
    /// keeping the endpoints when <paramref name="candidates"/> carries them.
    /// </summary>
    public static IReadOnlyList<DestinationState> Except(IReadOnlyList<DestinationState> candidates, DestinationState destination)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates is not ReadyDestinations ready)
        {
            return [.. candidates.Where(d => d != destination)];
        }

        var keep = Enumerable.Range(0, ready.Count).Where(i => ready[i] != destination).ToArray();
        return new ReadyDestinations([.. keep.Select(i => ready._destinations[i])], [.. keep.Select(i => ready._endpoints[i])]);
    }

    public IEnumerator<DestinationState> GetEnumerator() => ((IEnumerable<DestinationState>)_destinations).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
