namespace Gateway.Events;

/// <summary>A Kubernetes event's <c>type</c>.</summary>
public static class EventType
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}
