namespace Gateway.Admin;

/// <summary>
/// One change of one object at <paramref name="Version"/>: added (no <paramref name="Before"/>),
/// modified, or deleted (no <paramref name="After"/>). A change with neither is a bookmark marker a
/// watch puts in its own queue.
/// </summary>
internal sealed record WatchChange<T>(long Version, T? Before, T? After)
    where T : class;
