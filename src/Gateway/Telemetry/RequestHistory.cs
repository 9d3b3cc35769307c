using System.Collections.Concurrent;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Telemetry;

/// <summary>
/// The last few minutes of each service's proxied requests, for the status page's charts: a ring of
/// <see cref="Slots"/> time slots of <see cref="SlotSeconds"/> seconds, each counting the requests by
/// duration bucket (<see cref="LatencyBounds"/>) and the failed ones (a 5xx, or no response). Fixed
/// buckets keep it bounded and let a quantile be estimated the way Prometheus' <c>histogram_quantile</c>
/// does. Recording is one interlocked add (two for a failure) on the request path: no lock, no
/// allocation; the request count is the sum of the buckets. A slot is reused when its time comes
/// round again: the first request of a new period claims it with a compare-exchange and clears it.
/// </summary>
public sealed class RequestHistory(TimeProvider time)
{
    public const int SlotSeconds = 10;
    public const int Slots = 30;

    /// <summary>Upper bounds of the duration buckets; a last bucket holds everything slower.</summary>
    public static readonly TimeSpan[] LatencyBounds = [.. new double[]
    {
        1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000, 60_000,
    }.Select(TimeSpan.FromMilliseconds)];

    private static readonly long[] BoundTicks = [.. LatencyBounds.Select(b => b.Ticks)];

    private readonly ConcurrentDictionary<string, Series> _services = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time;
    private readonly long _slotTimestamps = time.TimestampFrequency * SlotSeconds;

    /// <summary>The services that recorded a request since the gateway started.</summary>
    public IEnumerable<string> Services => _services.Keys;

    /// <summary>A service's series, made on its first request; callers keep it (RequestTelemetry does, once per cluster config).</summary>
    public Series For(string service) => _services.GetOrAdd(service, static (_, h) => new Series(h), this);

    /// <summary>The last <see cref="Slots"/> slots of <paramref name="service"/>, oldest first; the last is the slot now filling.</summary>
    public IReadOnlyList<HistoryPoint> Read(string service)
    {
        _services.TryGetValue(service, out var series);
        return Read(series);
    }

    /// <summary>The bucket of a duration: the first whose bound it does not exceed, or the last for anything slower.</summary>
    public static int Bucket(TimeSpan elapsed)
    {
        var index = Array.BinarySearch(BoundTicks, elapsed.Ticks);
        return index >= 0 ? index : ~index;
    }

    /// <summary>
    /// The <paramref name="q"/> quantile of bucket counts, interpolated linearly inside its bucket as
    /// <c>histogram_quantile</c> does; in the last, unbounded bucket it is that bucket's lower bound.
    /// Null when there is nothing counted.
    /// </summary>
    public static TimeSpan? Quantile(ReadOnlySpan<long> counts, double q)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = q * total;
        long below = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && below + counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : BoundTicks[i - 1];
                if (i >= BoundTicks.Length)
                {
                    return TimeSpan.FromTicks(lower);
                }

                var fraction = Math.Clamp((rank - below) / counts[i], 0, 1);
                return TimeSpan.FromTicks(lower + (long)((BoundTicks[i] - lower) * fraction));
            }

            below += counts[i];
        }

        return TimeSpan.FromTicks(BoundTicks[^1]);
    }

    private HistoryPoint[] Read(Series? series)
    {
        var now = _time.GetTimestamp();
        var current = now / _slotTimestamps;
        var points = new HistoryPoint[Slots];
        var counts = new long[BoundTicks.Length + 1];
        for (var i = 0; i < Slots; i++)
        {
            var index = current - Slots + 1 + i;
            var seconds = index == current ? Math.Max(1.0, (now - current * _slotTimestamps) / (double)_time.TimestampFrequency) : SlotSeconds;
            long requests = 0, errors = 0;
            Array.Clear(counts);
            if (series?.TryRead(index, counts, out errors) == true)
            {
                foreach (var c in counts)
                {
                    requests += c;
                }
            }
            else
            {
                errors = 0;
            }

            points[i] = new HistoryPoint(Slots - 1 - i, seconds, requests, errors, requests == 0 ? null : Quantile(counts, 0.99));
        }

        return points;
    }

    /// <summary>One service's ring of slots.</summary>
    public sealed class Series
    {
        private readonly RequestHistory _history;
        private readonly Slot[] _ring;

        internal Series(RequestHistory history)
        {
            _history = history;
            _ring = [.. Enumerable.Range(0, Slots).Select(_ => new Slot())];
        }

        /// <summary>Counts one proxied request that took <paramref name="elapsed"/>; <paramref name="failed"/>: a 5xx or no response.</summary>
        public void Record(TimeSpan elapsed, bool failed)
        {
            var index = _history._time.GetTimestamp() / _history._slotTimestamps;
            var slot = _ring[index % Slots];
            if (Volatile.Read(ref slot.Period) != index && !slot.Claim(index))
            {
                return;
            }

            Interlocked.Increment(ref slot.Counts[Bucket(elapsed)]);
            if (failed)
            {
                Interlocked.Increment(ref slot.Errors);
            }
        }

        /// <summary>Copies slot <paramref name="index"/>'s counts, unless the slot holds another period (then it counted nothing for this one).</summary>
        internal bool TryRead(long index, long[] counts, out long errors)
        {
            var slot = _ring[index % Slots];
            errors = 0;
            if (Volatile.Read(ref slot.Period) != index)
            {
                return false;
            }

            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = Volatile.Read(ref slot.Counts[i]);
            }

            errors = Volatile.Read(ref slot.Errors);

            // Reclaimed for a later period while being read: what was copied is partly the new one's.
            return Volatile.Read(ref slot.Period) == index;
        }
    }

    /// <summary>One period's counts; <see cref="Period"/> is the slot's period number, or <see cref="Clearing"/> while it is reset.</summary>
    private sealed class Slot
    {
        private const long Clearing = -2;

        public readonly long[] Counts = new long[BoundTicks.Length + 1];
        public long Period = -1;
        public long Errors;

        /// <summary>Makes the slot <paramref name="index"/>'s; false when it already holds a later period (the request is counted nowhere: it ended a whole ring ago).</summary>
        public bool Claim(long index)
        {
            var spin = default(SpinWait);
            while (true)
            {
                var period = Volatile.Read(ref Period);
                if (period == index)
                {
                    return true;
                }

                if (period > index)
                {
                    return false;
                }

                if (period != Clearing && Interlocked.CompareExchange(ref Period, Clearing, period) == period)
                {
                    Array.Clear(Counts);
                    Volatile.Write(ref Errors, 0);
                    Volatile.Write(ref Period, index);
                    return true;
                }

                // Another request is clearing it: a few hundred nanoseconds, once a period.
                spin.SpinOnce();
            }
        }
    }
}

/// <summary>
/// One slot of a service's history: <paramref name="Ago"/> slots before the current one (0: now
/// filling), the <paramref name="Seconds"/> it covers (less for the current one), the requests that
/// ended in it, the failed ones, and their estimated p99 (null with no request).
/// </summary>
public sealed record HistoryPoint(int Ago, double Seconds, long Requests, long Errors, TimeSpan? P99)
{
    public double RequestRate => Requests / Seconds;

    public double ErrorRate => Errors / Seconds;
}
