namespace Gateway.Runtimes;

/// <summary>
/// A container runtime, shaped like the CRI: it starts container instances and reports their exit.
/// Stopping and exec are on the <see cref="IContainerInstance"/> it returns.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>Starts one instance of a container. Throws <see cref="ContainerStartException"/> when it cannot.</summary>
    Task<IContainerInstance> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken);
}

/// <summary>One run of a container. A restart is a new instance.</summary>
public interface IContainerInstance : IAsyncDisposable
{
    /// <summary>A fresh id per instance (also the routing destination id's suffix).</summary>
    string Id { get; }

    /// <summary>Completes when the instance has exited, with its exit code.</summary>
    Task<ContainerExit> Exited { get; }

    /// <summary>The stop signal, then SIGKILL once <paramref name="gracePeriod"/> has run out; completes when it has exited.</summary>
    Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Runs a command inside the instance, killed after <paramref name="timeout"/>.</summary>
    Task<ExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The instance's stdout and stderr as kept in its bounded buffer.</summary>
    string ReadLog();
}

/// <summary>How an instance ended: the exit code, and a reason such as <c>Completed</c>, <c>Error</c> or <c>OOMKilled</c>.</summary>
public sealed record ContainerExit(int ExitCode, string Reason, string? Message = null)
{
    public static ContainerExit FromCode(int exitCode) => new(exitCode, exitCode == 0 ? "Completed" : "Error");
}

/// <summary>A container that could not be started at all (no such program, bad working folder, ...).</summary>
public sealed class ContainerStartException(string message, Exception? inner = null) : Exception(message, inner);
