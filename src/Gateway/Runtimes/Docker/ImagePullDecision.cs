namespace Gateway.Runtimes.Docker;

/// <summary>What to do about a container's image before creating it.</summary>
internal enum ImageAction
{
    /// <summary>Use the image on the machine; no pull.</summary>
    UseLocal,

    /// <summary>Pull it; if the pull fails, <see cref="ImagePullDecision.UseLocalAfterFailedPull"/> decides.</summary>
    Pull,

    /// <summary>Not on the machine and never to be pulled: <c>ErrImageNeverPull</c>.</summary>
    NeverPullMissing,
}

/// <summary>The kubelet's <c>imagePullPolicy</c> rules, plus what this gateway does without a registry.</summary>
internal static class ImagePullDecision
{
    public static ImageAction Decide(string? pullPolicy, bool presentLocally) => pullPolicy switch
    {
        "Never" => presentLocally ? ImageAction.UseLocal : ImageAction.NeverPullMissing,
        "IfNotPresent" => presentLocally ? ImageAction.UseLocal : ImageAction.Pull,
        _ => ImageAction.Pull,
    };

    /// <summary>
    /// A pull that failed (typically: no registry reachable) falls back to the copy on the machine when there
    /// is one, with a warning event, so an <c>Always</c> image (every <c>:latest</c> or untagged one) runs offline
    /// as Docker's own <c>docker run</c> would; with no local copy it is <c>ErrImagePull</c>.
    /// </summary>
    public static bool UseLocalAfterFailedPull(bool presentLocally) => presentLocally;

    /// <summary>A reference the engine pulls one image for: with neither tag nor digest, <c>:latest</c>.</summary>
    public static string WithDefaultTag(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return image;
        }

        var lastSlash = image.LastIndexOf('/');
        return image.IndexOf(':', lastSlash + 1) >= 0 ? image : image + ":latest";
    }
}
