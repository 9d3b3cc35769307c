namespace Gateway.Tests.TestSupport;

internal static class Cancellation
{
    /// <summary>Completes (successfully) once <paramref name="token"/> is cancelled: the wait of something that runs until it is stopped.</summary>
    public static Task WhenCancelled(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = token.Register(() => cancelled.TrySetResult());
        return cancelled.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
