using System.Security.Cryptography;

namespace Gateway.Hosting;

/// <summary>
/// What a watched file is now: the final target of its symbolic links, its size, its time and a hash
/// of its first <see cref="MaxHashedBytes"/>. A Kubernetes ConfigMap volume swaps its <c>..data</c>
/// link to a new folder atomically and leaves the links the user names untouched, so a file is
/// compared by what it resolves to and holds, never by the link's own time.
/// </summary>
internal readonly record struct FileFingerprint(string Target, long Length, long LastWriteTicks, string ContentHash)
{
    /// <summary>Bounds the read of each poll: a manifest or settings file larger than this is refused anyway.</summary>
    public const int MaxHashedBytes = 1 << 20;

    public static FileFingerprint Of(string path)
    {
        try
        {
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
            var info = new FileInfo(target);
            if (!info.Exists)
            {
                return Missing(path);
            }

            using var stream = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            var buffer = new byte[(int)Math.Min(MaxHashedBytes, Math.Max(info.Length, 4096))];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            return new FileFingerprint(target, info.Length, info.LastWriteTimeUtc.Ticks, Convert.ToHexString(SHA256.HashData(buffer.AsSpan(0, length))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone between the look and the read (a swap in progress), or not readable: the next poll looks again.
            return Missing(path) with { ContentHash = e.Message };
        }
    }

    private static FileFingerprint Missing(string path) => new(path, -1, 0, "");
}
