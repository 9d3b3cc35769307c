namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Bounded waits for something a real process will do soon.</summary>
internal static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Asks <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> after the timeout.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {timeout ?? DefaultTimeout} waiting for {what}.");
            }

            await Task.Delay(Interval);
        }
    }
}
