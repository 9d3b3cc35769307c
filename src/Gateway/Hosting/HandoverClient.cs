using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Hosting;

/// <summary>
/// The new gateway's side of a hand-over. The previous gateway starts it with
/// <see cref="SocketVariable"/> naming a Unix socket; first thing, before its settings are read, it
/// connects and receives the listening sockets (<see cref="SocketPassing"/>), one line per socket:
/// <c>index TAB url</c>. Later it sends one message: <c>ready STATUS</c> once its services are
/// ready (<see cref="ReadinessRule"/>), or <c>failed REASON</c> (its last line on standard error)
/// when it exits before that, e.g. on a settings file that does not validate.
/// </summary>
internal sealed class HandoverClient : IDisposable
{
    public const string SocketVariable = "GATEWAY_HANDOVER_SOCKET";

    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _connection;
    private readonly LastLineWriter _stderr;
    private int _answered;

    private HandoverClient(Socket connection, IReadOnlyList<PassedListener> listeners, LastLineWriter stderr)
    {
        _connection = connection;
        Listeners = listeners;
        _stderr = stderr;
    }

    /// <summary>The sockets the previous gateway passed.</summary>
    public IReadOnlyList<PassedListener> Listeners { get; }

    /// <summary>Connects to the previous gateway when it started this one; null when it did not.</summary>
    /// <exception cref="IOException">The variable is set but the hand-over cannot be received: the message says why.</exception>
    public static HandoverClient? FromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable(SocketVariable);
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        Environment.SetEnvironmentVariable(SocketVariable, null); // nothing this gateway starts sees it
        var connection = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            connection.Connect(new UnixDomainSocketEndPoint(path));
            if (!connection.Poll(ReceiveTimeout, SelectMode.SelectRead))
            {
                throw new IOException($"{SocketVariable}={path}: the previous gateway sent no listeners within {ReceiveTimeout.TotalSeconds:0}s");
            }

            var payload = SocketPassing.Receive(connection, 64 * 1024, out var descriptors);
            var stderr = new LastLineWriter(Console.Error);
            Console.SetError(stderr);
            var client = new HandoverClient(connection, Parse(Encoding.UTF8.GetString(payload), descriptors), stderr);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => client.Fail();
            return client;
        }
        catch (SocketException e)
        {
            connection.Dispose();
            throw new IOException($"{SocketVariable}={path}: cannot receive the listeners of the previous gateway: {e.Message}; start the gateway without {SocketVariable}", e);
        }
    }

    /// <summary>The lines of a hand-over message, paired in order with its descriptors.</summary>
    public static IReadOnlyList<PassedListener> Parse(string payload, IReadOnlyList<int> descriptors)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(descriptors);
        var lines = payload.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != descriptors.Count)
        {
            throw new IOException($"the hand-over message names {lines.Length} listener(s) but carries {descriptors.Count} socket(s)");
        }

        return [.. lines.Select((line, i) =>
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var index = tab > 0 && int.TryParse(line.AsSpan(0, tab), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new IOException($"the hand-over message's line {i + 1} is not 'index TAB url': {line}");
            using var probe = new Socket(new SafeSocketHandle(descriptors[i], ownsHandle: false));
            return new PassedListener(line[(tab + 1)..], index, probe.LocalEndPoint!, descriptors[i]);
        })];
    }

    /// <summary>The message that passes <paramref name="listeners"/> (their descriptors go with it, in this order).</summary>
    public static string Describe(IEnumerable<ListenerSet.Bound> listeners) =>
        string.Concat(listeners.Select(l => $"{l.Index.ToString(CultureInfo.InvariantCulture)}\t{l.Address.Url}\n"));

    /// <summary>Tells the previous gateway that this one is ready: it stops accepting and exits.</summary>
    public void Ready(string status) => Answer($"ready {status}");

    /// <summary>Tells the previous gateway that this one will not take over, with its last error line; once.</summary>
    public void Fail(string? reason = null) => Answer($"failed {reason ?? _stderr.LastLine ?? "exited before it was ready"}");

    private void Answer(string message)
    {
        if (Interlocked.Exchange(ref _answered, 1) == 1)
        {
            return;
        }

        try
        {
            _connection.Send(Encoding.UTF8.GetBytes(message));
        }
        catch (SocketException)
        {
            // The previous gateway is gone: there is no one left to tell.
        }
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>Standard error as it was, remembering its last non-empty line for <see cref="Fail"/>.</summary>
    private sealed class LastLineWriter(TextWriter inner) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public string? LastLine { get; private set; }

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            Track(value);
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            foreach (var c in value ?? "")
            {
                Track(c);
            }
        }

        public override void WriteLine(string? value)
        {
            inner.WriteLine(value);
            foreach (var c in value ?? "")
            {
                Track(c);
            }

            Track('\n');
        }

        private void Track(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    var text = _line.ToString().Trim();
                    if (text.Length > 0)
                    {
                        LastLine = text;
                    }

                    _line.Clear();
                }
                else if (_line.Length < 4096)
                {
                    _line.Append(value);
                }
            }
        }

        public override void Flush() => inner.Flush();
    }
}
