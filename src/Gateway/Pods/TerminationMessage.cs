using System.Text;
using Gateway.Specs;

namespace Gateway.Pods;

/// <summary>
/// <c>state.terminated.message</c> of an instance that ended, as the kubelet composes it
/// (docs/semantics.md#termination-message): what the app wrote to its message file (the last 4096
/// bytes); under <c>FallbackToLogsOnError</c>, when that is empty and the instance failed, the tail of
/// its log (the last 80 lines, at most their last 2048 bytes); after the runtime's own message, if any.
/// </summary>
public static class TerminationMessage
{
    /// <summary>The most of the message file the kubelet reads (<c>MaxContainerTerminationMessageLength</c>).</summary>
    public const int MaxFileBytes = 4096;

    /// <summary>The log lines the fallback keeps (<c>MaxContainerTerminationMessageLogLines</c>).</summary>
    public const int MaxLogLines = 80;

    /// <summary>The log bytes the fallback keeps (<c>MaxContainerTerminationMessageLogLength</c>).</summary>
    public const int MaxLogBytes = 2048;

    /// <summary>
    /// The message of an instance that ended with <paramref name="exitCode"/>. <paramref name="file"/> is
    /// what its message file holds (null when there is none); <paramref name="log"/> reads its log, only
    /// when the fallback needs it. Null when there is nothing to say.
    /// </summary>
    public static string? Compose(string? runtimeMessage, string? policy, int exitCode, string? file, Func<string?> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var text = file is null ? "" : Tail(file, MaxFileBytes);
        if (NeedsLog(policy, exitCode, file))
        {
            text = LogTail(log() ?? "");
        }

        if (text.Length == 0)
        {
            return string.IsNullOrEmpty(runtimeMessage) ? null : runtimeMessage;
        }

        return string.IsNullOrEmpty(runtimeMessage) ? text : $"{runtimeMessage}: {text}";
    }

    /// <summary>Whether the message comes from the log: <c>FallbackToLogsOnError</c>, a failure, and nothing in the file.</summary>
    public static bool NeedsLog(string? policy, int exitCode, string? file) =>
        policy == "FallbackToLogsOnError" && exitCode != 0 && string.IsNullOrEmpty(file);

    /// <summary>The last <see cref="MaxLogLines"/> lines of <paramref name="log"/>, of which the last <see cref="MaxLogBytes"/> bytes.</summary>
    public static string LogTail(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var start = log.Length;
        var lines = 0;

        // A trailing newline ends the last line rather than starting one more.
        var end = log.EndsWith('\n') ? log.Length - 1 : log.Length;
        for (var i = end - 1; i >= 0; i--)
        {
            if (log[i] == '\n' && ++lines == MaxLogLines)
            {
                start = i + 1;
                break;
            }

            start = i;
        }

        return Tail(log[start..], MaxLogBytes);
    }

    /// <summary>The last <paramref name="maxBytes"/> bytes of <paramref name="text"/> in UTF-8, not cutting a character.</summary>
    public static string Tail(string text, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= maxBytes)
        {
            return text;
        }

        var start = bytes.Length - maxBytes;
        while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80)
        {
            start++;
        }

        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    /// <summary>The file a Process-runtime instance writes its message to (its path is in <see cref="PodSpecDefaults.TerminationMessagePathVariable"/>).</summary>
    public static string FileOf(string directory, string pod, string container, int instance) =>
        Path.Combine(directory, pod, container, instance.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
