namespace Gateway.Specs;

/// <summary><c>Gateway:Logs</c>: the kubelet's <c>containerLogMaxSize</c> and <c>containerLogMaxFiles</c>, per container instance.</summary>
public sealed record ContainerLogSettings(long MaxSize, int MaxFiles)
{
    /// <summary>The kubelet's default <c>containerLogMaxSize</c>, 10Mi.</summary>
    public const long DefaultMaxSize = 10 * 1024 * 1024;

    /// <summary>The kubelet's default <c>containerLogMaxFiles</c>.</summary>
    public const int DefaultMaxFiles = 5;

    public static readonly ContainerLogSettings Default = new(DefaultMaxSize, DefaultMaxFiles);
}
