namespace Gateway.Events;

/// <summary>
/// Keeps the most recent events, bounded in number, and folds repeats into one event with a count
/// and first/last timestamps, as the Kubernetes event correlator does.
/// </summary>
public sealed partial class EventRecorder(TimeProvider timeProvider, ILogger<EventRecorder> logger, int capacity = 1000)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Pod, string Type, string Reason, string Message), GatewayEvent> _byKey = [];
    private readonly LinkedList<(string Pod, string Type, string Reason, string Message)> _order = new();
    private volatile GatewayEvent[] _snapshot = [];
    private long _sequence;

    /// <summary>The events, oldest first.</summary>
    public IReadOnlyList<GatewayEvent> Snapshot => _snapshot;

    /// <summary>
    /// Raised for each event recorded, counted again (before, after) or dropped for room (before, null).
    /// It runs under the recorder's lock, so handlers see the changes in their order, and must be quick.
    /// </summary>
    public event Action<GatewayEvent?, GatewayEvent?>? Changed;

    public void Record(string ns, string podName, string podUid, string type, string reason, string message, string? fieldPath = null, string kind = "Pod")
    {
        var now = timeProvider.GetUtcNow();
        if (message.Length > 1024)
        {
            message = message[..1024];
        }

        var key = (podName, type, reason, message);
        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var existing))
            {
                _byKey[key] = existing with { Count = existing.Count + 1, LastTimestamp = now };
                _order.Remove(key);
                Changed?.Invoke(existing, _byKey[key]);
            }
            else
            {
                _byKey[key] = new GatewayEvent
                {
                    Name = $"{podName}.{now.ToUnixTimeMilliseconds():x}{_sequence++:x}",
                    Namespace = ns,
                    PodName = podName,
                    PodUid = podUid,
                    Kind = kind,
                    FieldPath = fieldPath,
                    Type = type,
                    Reason = reason,
                    Message = message,
                    FirstTimestamp = now,
                    LastTimestamp = now,
                };
                Changed?.Invoke(null, _byKey[key]);
                while (_byKey.Count > capacity && _order.First is { } oldest)
                {
                    _byKey.Remove(oldest.Value, out var dropped);
                    _order.RemoveFirst();
                    Changed?.Invoke(dropped, null);
                }
            }

            _order.AddLast(key);
            _snapshot = [.. _order.Select(k => _byKey[k])];
        }

        if (type == EventType.Warning)
        {
            Log.WarningEvent(logger, podName, reason, message);
        }
        else
        {
            Log.NormalEvent(logger, podName, reason, message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "{Pod}: {Reason}: {Message}")]
        public static partial void NormalEvent(ILogger logger, string pod, string reason, string message);

        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "{Pod}: {Reason}: {Message}")]
        public static partial void WarningEvent(ILogger logger, string pod, string reason, string message);
    }
}
