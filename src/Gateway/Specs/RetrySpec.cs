namespace Gateway.Specs;

/// <summary>How the proxy retries a request to another pod, per service.</summary>
/// <param name="Attempts">Retries after the first try (default 2).</param>
/// <param name="BudgetPercent">Retries in flight at most this share of active requests (default 20).</param>
/// <param name="MinConcurrent">... but always at least this many at once (default 3).</param>
/// <param name="BufferBytes">A request body is replayed only when it is at most this long (default 64 KiB).</param>
public sealed record RetrySpec(int Attempts = 2, double BudgetPercent = 20, int MinConcurrent = 3, int BufferBytes = 64 * 1024)
{
    public static readonly RetrySpec Default = new();

    /// <summary>The most retries a request may make: each one holds the client waiting.</summary>
    public const int MaxAttempts = 10;

    /// <summary>The most retries in flight at once whatever the budget says.</summary>
    public const int MaxMinConcurrent = 10_000;

    /// <summary>The largest body buffered for replay: every request in flight may hold one.</summary>
    public const int MaxBufferBytes = 16 * 1024 * 1024;
}
