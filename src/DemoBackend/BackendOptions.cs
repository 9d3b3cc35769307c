namespace DemoBackend;

/// <summary>What the demo backend was asked to do, from its command line and environment.</summary>
internal sealed record BackendOptions
{
    public const int DefaultPort = 8080;

    public required int Port { get; init; }

    public required string PodName { get; init; }

    /// <summary>After this long, <c>/healthz</c> fails; <see langword="null"/> means healthy until told otherwise.</summary>
    public TimeSpan? HealthyFor { get; init; }

    public TimeSpan ReadyAfter { get; init; }

    /// <summary>An HTTP/2-only port serving <c>grpc.health.v1.Health</c> and <c>demo.Demo</c>; <see langword="null"/> means none.</summary>
    public int? GrpcPort { get; init; }

    /// <summary>How long to wait after in-flight requests have finished and before exiting.</summary>
    public TimeSpan ShutdownDelay { get; init; }

    public int ExitCode { get; init; }

    /// <summary>After this long the process exits at once with <see cref="ExitCode"/>; <see langword="null"/> means never.</summary>
    public TimeSpan? CrashAfter { get; init; }
}
