using System.Runtime.InteropServices;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Admin;

/// <summary>
/// The admin API's bearer token: 256 random bits as URL-safe text, kept in a file only its owner
/// can read, and compared in constant time.
/// </summary>
internal static partial class AdminToken
{
    public const int RandomBytes = 32;

    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>
    /// Whether <paramref name="given"/> is the token, in time that depends on neither value: both are
    /// hashed first, so not even the length shows.
    /// </summary>
    public static bool Matches(string? given, string token) =>
        given is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// The token in a file a user supplies (e.g. a Kubernetes Secret): its text without surrounding
    /// whitespace; null with <paramref name="error"/> when it is missing, unreadable, empty or not one word.
    /// </summary>
    public static string? Read(string path, string field, out string? error)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{field}: Invalid value: \"{path}\": cannot read the admin token: {e.Message}";
            return null;
        }

        error = text.Length == 0 ? $"{field}: Invalid value: \"{path}\": the admin token file is empty: write a token into it (e.g. openssl rand -hex 32)"
            : text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > '~') ? $"{field}: Invalid value: \"{path}\": the admin token must be one word of printable ASCII"
            : null;
        return error is null ? text : null;
    }

    /// <summary>
    /// The token in <paramref name="path"/>, generated first when the file does not exist. The new
    /// file is written whole under a temporary name with mode 0600 and then linked into place, so
    /// nobody sees it half-written or readable by others, and of two gateways starting at once one
    /// link wins and both use its token. The folder is created 0700 when missing.
    /// </summary>
    public static string? ReadOrCreate(string path, string field, out string? error)
    {
        if (!File.Exists(path))
        {
            try
            {
                CreateOwnerOnlyFolder(Path.GetDirectoryName(path)!);
                var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
                try
                {
                    WriteOwnerOnly(temporary, Generate() + "\n");

                    // link(2) publishes the whole file at once and fails when the token already exists
                    // (File.Move checks for the target, then renames: two gateways could both win).
                    if (Link(temporary, path) != 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno != EEXIST)
                        {
                            throw new IOException($"link {temporary} {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
                        }

                        // Another gateway created it first: use that one.
                    }
                }
                finally
                {
                    File.Delete(temporary);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"{field}: Invalid value: \"{path}\": cannot create the admin token: {e.Message}; make the folder writable or set Gateway:StateDirectory";
                return null;
            }
        }

        return Read(path, field, out error);
    }

    /// <summary>Creates <paramref name="path"/> (and missing parents) with mode 0700 when it does not exist.</summary>
    public static void CreateOwnerOnlyFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyFolder);
        }
    }

    /// <summary>Writes a new file created with mode 0600 (never wider, whatever the umask), flushed to disk.</summary>
    public static void WriteOwnerOnly(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush(flushToDisk: true);
    }

    private const int EEXIST = 17;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
