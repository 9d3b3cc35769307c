using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Specs;

/// <summary>
/// Reads a manifest named in the settings, refusing without reading it a file that is too large or
/// is not a regular file once symlinks are followed (<c>/dev/zero</c> would be read forever, a fifo
/// would block the reload).
/// </summary>
internal static partial class ManifestFile
{
    /// <summary>The largest manifest read: a pod template is a few KiB; this leaves room for comments.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The manifest's text, or null with the reason in <paramref name="problem"/> (a field error's type and detail).</summary>
    public static string? Read(string file, out (string Type, string Detail)? problem)
    {
        problem = null;
        if (Directory.Exists(file))
        {
            problem = (FieldError.InvalidType, "is a folder, not a file; name the YAML file");
            return null;
        }

        if (!File.Exists(file))
        {
            problem = (FieldError.NotFoundType, "no such file; a relative path is relative to the settings file's folder");
            return null;
        }

        if (Kind(file) is { } kind && kind != RegularFile)
        {
            problem = (FieldError.InvalidType, $"is not a regular file ({Describe(kind)}); name a YAML file");
            return null;
        }

        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[MaxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                problem = (FieldError.InvalidType, $"is larger than {MaxBytes / 1024 / 1024} MiB, the most the gateway reads; a manifest holds one Pod or Deployment");
                return null;
            }

            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(buffer, 0, length).TrimStart('\uFEFF');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = (FieldError.InvalidType, $"cannot be read: {e.Message}");
            return null;
        }
        catch (DecoderFallbackException)
        {
            problem = (FieldError.InvalidType, "is not UTF-8 text; a manifest is YAML");
            return null;
        }
    }

    /// <summary>
    /// The deepest nesting of flow collections (<c>[</c>, <c>{</c>) read: a pod needs a handful, and
    /// YamlDotNet's time grows with the square of the depth (100,000 <c>[</c> take 14 s).
    /// </summary>
    public const int MaxFlowDepth = 64;

    /// <summary>The line where <paramref name="yaml"/>'s flow collections nest deeper than <see cref="MaxFlowDepth"/>, or null.</summary>
    public static int? TooDeep(string yaml)
    {
        var (depth, line, quote) = (0, 1, '\0');
        for (var i = 0; i < yaml.Length; i++)
        {
            var c = yaml[i];
            if (c == '\n')
            {
                line++;
            }

            if (quote != '\0')
            {
                // Inside a quoted scalar: only its end matters ('' and \" escape a quote).
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    break;
                case '#' when i == 0 || char.IsWhiteSpace(yaml[i - 1]):
                    var end = yaml.IndexOf('\n', i);
                    i = end < 0 ? yaml.Length : end - 1;
                    break;
                case '[' or '{' when ++depth > MaxFlowDepth:
                    return line;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }

        return null;
    }

    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    private static string Describe(int kind) => kind switch
    {
        0x1000 => "a fifo",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "not a file",
    };

    // The file type after following symlinks (statx(2), whose layout is the same on every
    // architecture); null where statx is not available, and then only the size bound protects.
    private static int? Kind(string file)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (Statx(AtCurrentDirectory, file, 0, StatxType, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        return BitConverter.ToUInt16(buffer, StatxModeOffset) & TypeMask;
    }

    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 1;
    private const int StatxModeOffset = 28;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte[] buffer);
}
