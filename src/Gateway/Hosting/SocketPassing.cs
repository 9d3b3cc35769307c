using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gateway.Hosting;

/// <summary>
/// Passes open file descriptors (the listening sockets) to another process over a Unix socket, as
/// Envoy's hot restart and HAProxy's seamless reload do: <c>SCM_RIGHTS</c> ancillary data on one
/// <c>sendmsg</c>, with a small payload saying what each descriptor is. The receiver gets its own
/// descriptors for the same open sockets, so a connection queued in a listening socket's backlog
/// stays there whichever process accepts it. .NET has no API for it, hence these few calls to libc.
/// </summary>
internal static partial class SocketPassing
{
    /// <summary>The most descriptors one message carries; a gateway has a handful of listeners.</summary>
    public const int MaxDescriptors = 64;

    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgNoSignal = 0x4000;
    private const int MsgCtrunc = 0x8;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int FGetFd = 1;
    private const int FSetFd = 2;
    private const int FdCloexec = 1;
    private const int FDupFdCloexec = 1030;

    /// <summary>Sends <paramref name="payload"/> with <paramref name="descriptors"/> attached, in one message.</summary>
    public static unsafe void Send(Socket connection, ReadOnlySpan<byte> payload, IReadOnlyList<int> descriptors)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(descriptors);
        if (descriptors.Count > MaxDescriptors)
        {
            throw new ArgumentException($"at most {MaxDescriptors} descriptors in one message", nameof(descriptors));
        }

        var dataLength = descriptors.Count * sizeof(int);
        var space = descriptors.Count == 0 ? 0 : ControlSpace(dataLength);
        var control = stackalloc byte[Math.Max(space, 1)];
        new Span<byte>(control, Math.Max(space, 1)).Clear();
        if (space > 0)
        {
            *(nuint*)control = (nuint)(HeaderSize + dataLength);
            *(int*)(control + sizeof(nuint)) = SolSocket;
            *(int*)(control + sizeof(nuint) + sizeof(int)) = ScmRights;
            var data = (int*)(control + HeaderSize);
            for (var i = 0; i < descriptors.Count; i++)
            {
                data[i] = descriptors[i];
            }
        }

        fixed (byte* bytes = payload)
        {
            var vector = new IoVector { Base = (nint)bytes, Length = (nuint)payload.Length };
            var message = new MessageHeader { Vector = (nint)(&vector), VectorLength = 1, Control = space > 0 ? (nint)control : 0, ControlLength = (nuint)space };
            var sent = SendMessage((int)connection.SafeHandle.DangerousGetHandle(), &message, MsgNoSignal);
            if (sent != payload.Length)
            {
                throw new IOException($"sendmsg on the hand-over socket: {(sent < 0 ? Marshal.GetLastPInvokeErrorMessage() : $"{sent} of {payload.Length} bytes sent")}");
            }
        }
    }

    /// <summary>Receives one message (at most <paramref name="maxBytes"/>) and the descriptors attached to it, each close-on-exec.</summary>
    /// <returns>The payload, empty when the peer closed the connection.</returns>
    public static unsafe byte[] Receive(Socket connection, int maxBytes, out int[] descriptors)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var buffer = new byte[maxBytes];
        var space = ControlSpace(MaxDescriptors * sizeof(int));
        var control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        nint received;
        MessageHeader message;
        fixed (byte* bytes = buffer)
        {
            var vector = new IoVector { Base = (nint)bytes, Length = (nuint)buffer.Length };
            message = new MessageHeader { Vector = (nint)(&vector), VectorLength = 1, Control = (nint)control, ControlLength = (nuint)space };
            received = ReceiveMessage((int)connection.SafeHandle.DangerousGetHandle(), &message, MsgCmsgCloexec);
        }

        if (received < 0)
        {
            throw new IOException($"recvmsg on the hand-over socket: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        var found = new List<int>();
        var offset = 0;
        while (offset + HeaderSize <= (int)message.ControlLength)
        {
            var length = (int)*(nuint*)(control + offset);
            var level = *(int*)(control + offset + sizeof(nuint));
            var type = *(int*)(control + offset + sizeof(nuint) + sizeof(int));
            if (length < HeaderSize)
            {
                break;
            }

            if (level == SolSocket && type == ScmRights)
            {
                var data = (int*)(control + offset + HeaderSize);
                for (var i = 0; i < (length - HeaderSize) / sizeof(int); i++)
                {
                    found.Add(data[i]);
                }
            }

            offset += Align(length);
        }

        descriptors = [.. found];
        if ((message.Flags & MsgCtrunc) != 0)
        {
            foreach (var fd in descriptors)
            {
                _ = Close(fd);
            }

            throw new IOException($"the hand-over message carried more than {MaxDescriptors} descriptors");
        }

        return buffer.AsSpan(0, (int)received).ToArray();
    }

    /// <summary>A new descriptor for the same socket, close-on-exec (so that no pod inherits it).</summary>
    public static int Duplicate(int fd)
    {
        var copy = Fcntl(fd, FDupFdCloexec, 3);
        return copy >= 0 ? copy : throw new IOException($"fcntl(F_DUPFD_CLOEXEC) of descriptor {fd}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>
    /// Clears close-on-exec on <paramref name="fd"/>. .NET, closing a socket that a blocking call
    /// waits on, first disconnects it (to wake the call), which for a listening socket shuts the
    /// socket itself, backlog and all, in the process that took it over too. It leaves a descriptor
    /// without close-on-exec alone, as one shared with another process. Kestrel's accepts are
    /// asynchronous, which .NET closes plainly; this is called on Kestrel's descriptors just before
    /// Kestrel stops all the same, so that no way of closing them can take the sockets down.
    /// </summary>
    public static void KeepOnExec(int fd) => _ = Fcntl(fd, FSetFd, Fcntl(fd, FGetFd, 0) & ~FdCloexec);

    /// <summary>Whether <paramref name="fd"/> is close-on-exec.</summary>
    public static bool IsCloseOnExec(int fd) => (Fcntl(fd, FGetFd, 0) & FdCloexec) != 0;

    public static void CloseDescriptor(int fd) => _ = Close(fd);

    private static int HeaderSize => Align(IntPtr.Size + (2 * sizeof(int)));

    private static int ControlSpace(int dataLength) => HeaderSize + Align(dataLength);

    private static int Align(int length) => (length + IntPtr.Size - 1) & ~(IntPtr.Size - 1);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public nint Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public nint Name;
        public uint NameLength;
        public nint Vector;
        public nuint VectorLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint ReceiveMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
