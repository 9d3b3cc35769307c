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

    /// <summary>Completes when the instance has exited, with its exit code, and its output is all in <see cref="Log"/> (which is then complete).</summary>
    Task<ContainerExit> Exited { get; }

    /// <summary>The stop signal, then SIGKILL once <paramref name="gracePeriod"/> has run out; completes when it has exited.</summary>
    Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Runs a command inside the instance, killed after <paramref name="timeout"/>.</summary>
    Task<ExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The instance's stdout and stderr, line by line with time and stream; it stays readable after the instance ends.</summary>
    ContainerLog Log { get; }

    /// <summary>The instance's stdout and stderr as text, as kept in its bounded log.</summary>
    string ReadLog() => Log.ToString();
}

/// <summary>How an instance ended: the exit code, and a reason such as <c>Completed</c>, <c>Error</c> or <c>OOMKilled</c>.</summary>
public sealed record ContainerExit(int ExitCode, string Reason, string? Message = null)
{
    public static ContainerExit FromCode(int exitCode) => new(exitCode, exitCode == 0 ? "Completed" : "Error");
}

/// <summary>
/// A container that could not be started at all (no such program, bad working folder, an image that
/// could not be pulled, ...). <see cref="Reason"/> is the kubelet's word for it: <c>StartError</c>
/// ends the attempt like an exit (code 128); the others leave the container <c>Waiting</c>.
/// </summary>
public sealed class ContainerStartException(string message, Exception? inner = null, string reason = ContainerStartException.StartError) : Exception(message, inner)
{
    /// <summary>The container was created but its process could not start: a termination with exit code 128.</summary>
    public const string StartError = "StartError";

    /// <summary>The image could not be pulled (then <c>ImagePullBackOff</c> while the next pull waits).</summary>
    public const string ErrImagePull = "ErrImagePull";

    /// <summary>The image is not present and <c>imagePullPolicy</c> is <c>Never</c>.</summary>
    public const string ErrImageNeverPull = "ErrImageNeverPull";

    /// <summary>The runtime could not create the container (e.g. its engine did not answer).</summary>
    public const string CreateContainerError = "CreateContainerError";

    public ContainerStartException(string reason, string message, Exception? inner = null)
        : this(message, inner, reason)
    {
    }

    public string Reason { get; } = reason;
}
