using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Runtimes;

namespace Gateway.Admin;

/// <summary>
/// The Kubernetes remote-command protocol over WebSocket (<c>kubectl exec</c> since v1.30), as
/// client-go's <c>tools/remotecommand/websocket.go</c> and apimachinery's <c>wsstream</c> speak it:
/// every binary message is one byte naming the channel (0 stdin, 1 stdout, 2 stderr, 3 the error
/// channel with the command's end as a <c>Status</c>, 4 resize) and the data. <c>v5</c> adds a
/// message on channel 255 whose one data byte names a stream the sender has closed (how kubectl says
/// stdin has ended). The decisions and the framing, no I/O.
/// </summary>
internal static class RemoteCommandProtocol
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";

    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Error = 3;
    public const byte Resize = 4;

    /// <summary>v5's close signal: <c>[255, stream]</c>.</summary>
    public const byte Close = 255;

    /// <summary>The protocols served, best first.</summary>
    public static readonly IReadOnlyList<string> Served = [V5, V4];

    /// <summary>The protocol to answer with: the best served one the client asked for, or null (the client asked for none the gateway speaks).</summary>
    public static string? Negotiate(IEnumerable<string> requested)
    {
        var asked = requested.SelectMany(r => r.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        return Served.FirstOrDefault(asked.Contains);
    }

    /// <summary>One message: the channel byte, then the data.</summary>
    public static byte[] Frame(byte channel, ReadOnlySpan<byte> data)
    {
        var message = new byte[data.Length + 1];
        message[0] = channel;
        data.CopyTo(message.AsSpan(1));
        return message;
    }

    /// <summary>What a message from the client asks for.</summary>
    public static ClientMessage Parse(ReadOnlyMemory<byte> message, string protocol)
    {
        if (message.IsEmpty)
        {
            return new ClientMessage.Ignored("an empty message");
        }

        var channel = message.Span[0];
        var data = message[1..];
        if (channel == Close && protocol == V5)
        {
            return data.Length == 1 ? new ClientMessage.Closed(data.Span[0]) : new ClientMessage.Ignored($"a close signal with {data.Length} bytes instead of 1");
        }

        return channel switch
        {
            Stdin => new ClientMessage.Input(data),
            Resize => ParseResize(data.Span) is { } size ? new ClientMessage.Resized(size) : new ClientMessage.Ignored("a resize message that is not {\"Width\":N,\"Height\":N}"),
            _ => new ClientMessage.Ignored($"a message on channel {channel}, which a client does not write"),
        };
    }

    /// <summary>kubectl's <c>TerminalSize</c> as JSON: <c>{"Width":80,"Height":24}</c> (Go field names, no tags); null when it is not that.</summary>
    public static TerminalSize? ParseResize(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("Width", out var width) && width.TryGetUInt16(out var w)
                && root.TryGetProperty("Height", out var height) && height.TryGetUInt16(out var h)
                ? new TerminalSize(w, h)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The error channel's last word, as the kubelet writes it: <c>Success</c> for exit code 0;
    /// otherwise <c>NonZeroExitCode</c> with the code in the <c>ExitCode</c> cause, which kubectl turns
    /// into "command terminated with exit code N" and its own exit code.
    /// </summary>
    public static byte[] ExitStatus(int exitCode)
    {
        var status = exitCode == 0
            ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
            : new JsonObject
            {
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = $"command terminated with non-zero exit code: exit status {exitCode}",
                ["reason"] = "NonZeroExitCode",
                ["details"] = new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = ExitCodeText(exitCode) }),
                },
            };
        return Encoding.UTF8.GetBytes(status.ToJsonString());
    }

    /// <summary>The error channel's word for a command that could not run: the kubelet's <c>InternalError</c>, which kubectl prints as its error.</summary>
    public static byte[] StartFailure(string reason) =>
        Encoding.UTF8.GetBytes(KubernetesStatus.Failure(500, "InternalError",
            $"Internal error occurred: error executing command in container: {reason}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = $"error executing command in container: {reason}" }) }).ToJsonString());

    /// <summary>
    /// kubectl reads the code as an 8-bit unsigned number, as a process's exit status is; a runtime's
    /// -1 (status lost) would fail its parsing, so it is reported as 255.
    /// </summary>
    private static string ExitCodeText(int exitCode) => (exitCode is >= 0 and <= 255 ? exitCode : 255).ToString(CultureInfo.InvariantCulture);
}

/// <summary>A message from the client, decoded.</summary>
internal abstract record ClientMessage
{
    private ClientMessage()
    {
    }

    /// <summary>Data for the command's stdin.</summary>
    public sealed record Input(ReadOnlyMemory<byte> Data) : ClientMessage;

    /// <summary>The client's terminal has this size now.</summary>
    public sealed record Resized(TerminalSize Size) : ClientMessage;

    /// <summary>v5: the client has closed this stream (stdin: the command reads end of file).</summary>
    public sealed record Closed(byte Channel) : ClientMessage;

    /// <summary>Nothing to do, and why (for the debug log).</summary>
    public sealed record Ignored(string Why) : ClientMessage;
}
