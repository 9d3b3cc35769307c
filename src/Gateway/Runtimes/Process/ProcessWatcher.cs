using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Gateway.Runtimes.Process;

/// <summary>
/// Watches every Process container from one thread blocked in <c>epoll_wait</c>: each container's
/// pidfd (readable once its main process has exited) and its two output pipes, read with one
/// buffer shared by all of them. So an idle container costs no thread, task or buffer, only the
/// small objects that name its fds. On an exit it kills what is left of the process group (while
/// the main process is a zombie its pid, the group's id, cannot be reused), reads what the process
/// wrote before it ended, reaps it with <c>waitid</c> and reports the exit status.
/// </summary>
internal sealed unsafe class ProcessWatcher
{
    private const int MaxEvents = 64;
    private const int ReadBufferSize = 16 * 1024;

    /// <summary>Reads of one pipe when its process has exited: output left by a writer outside the group does not hold the thread.</summary>
    private const int MaxDrainReads = 64;

    private static readonly Lazy<ProcessWatcher> SharedWatcher = new(() => new ProcessWatcher(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Watched> _watched = [];
    private readonly byte[] _buffer = new byte[ReadBufferSize];
    private ulong _nextToken;

    private ProcessWatcher()
    {
        _epoll = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new ContainerStartException($"epoll_create1: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        new Thread(Run) { IsBackground = true, Name = "Process containers" }.Start();
    }

    /// <summary>The one watcher of this gateway process.</summary>
    public static ProcessWatcher Shared => SharedWatcher.Value;

    /// <summary>
    /// Takes over the fds of <paramref name="spawned"/> (it closes them): output goes to
    /// <paramref name="stdout"/> and <paramref name="stderr"/>, and <paramref name="exited"/> is
    /// called once, on the watcher's thread, when the process has exited and been reaped.
    /// </summary>
    public void Watch(ProcessSpawn.Spawned spawned, OutputLines stdout, OutputLines stderr, Action<ContainerExit> exited)
    {
        var child = new Child(spawned.Pid, spawned.Pidfd, exited);
        child.Stdout = new Pipe(spawned.Stdout, stdout);
        child.Stderr = new Pipe(spawned.Stderr, stderr);
        Add(child.Stdout);
        Add(child.Stderr);
        Add(child);
    }

    /// <summary>
    /// Watches a container's monitor (see <see cref="MonitorSpawn"/>) by its pidfd (it closes it):
    /// <paramref name="exited"/> is called once, on the watcher's thread, when the monitor has exited,
    /// which it does after its container's program, its exit file written. A monitor this gateway
    /// started is reaped; an adopted one, whose parent was an earlier gateway, is init's.
    /// </summary>
    public void WatchMonitor(int pidfd, Action exited) => Add(new Monitor(pidfd, exited));

    private void Add(Watched watched)
    {
        lock (_lock)
        {
            watched.Token = ++_nextToken;
            _watched[watched.Token] = watched;
        }

        var epollEvent = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(epollEvent, 4), Libc.EPOLLIN);
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(epollEvent + Libc.EpollDataOffset, 8), watched.Token);
        if (Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, watched.Fd, epollEvent) != 0)
        {
            // Only a full kernel table gets here; the fd is closed and the pipe counts as ended, the
            // exit as lost, rather than leaving a container nobody watches.
            var reason = Marshal.GetLastPInvokeErrorMessage();
            if (watched is Monitor monitor)
            {
                Remove(monitor);
                monitor.Exited();
            }
            else if (watched is Child child)
            {
                Signals.SendToGroup(child.Pid, Signals.SIGKILL);
                var siginfo = stackalloc byte[Libc.SiginfoSize];
                Libc.Waitid(Libc.P_PIDFD, (uint)child.Fd, siginfo, Libc.WEXITED);
                Remove(child);
                child.Exited(new ContainerExit(-1, "Error", $"cannot watch process {child.Pid}: epoll_ctl: {reason}"));
            }
            else
            {
                Remove(watched);
            }
        }
    }

    private void Remove(Watched watched)
    {
        lock (_lock)
        {
            _watched.Remove(watched.Token);
        }

        _ = Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_DEL, watched.Fd, null);
        _ = Libc.Close(watched.Fd);
        watched.Fd = -1;
    }

    private void Run()
    {
        var events = stackalloc byte[MaxEvents * Libc.EpollEventSize];
        while (true)
        {
            var count = Libc.EpollWait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                // EINTR (a signal) is retried at once; nothing else can fail on a valid epoll fd and
                // buffer, but if something does, the thread must not spin on it.
                if (Marshal.GetLastPInvokeError() != Libc.EINTR)
                {
                    Thread.Sleep(100);
                }

                continue;
            }

            for (var i = 0; i < count; i++)
            {
                var token = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(events + (i * Libc.EpollEventSize) + Libc.EpollDataOffset, 8));
                Watched? watched;
                lock (_lock)
                {
                    _watched.TryGetValue(token, out watched);
                }

                try
                {
                    switch (watched)
                    {
                        case Pipe pipe:
                            ReadOnce(pipe);
                            break;
                        case Child child:
                            Reap(child);
                            break;
                        case Monitor monitor:
                            Reap(monitor);
                            break;
                    }
                }
                catch (Exception exception)
                {
                    // Nothing here should throw; if something does, that one fd is given up and
                    // the thread every container depends on goes on.
                    Abandon(watched!, exception);
                }
            }
        }
    }

    /// <summary>One read of a pipe that is readable or closed; returns false once nothing more is there for now.</summary>
    private bool ReadOnce(Pipe pipe)
    {
        if (pipe.Fd < 0)
        {
            return false;
        }

        nint read;
        fixed (byte* buffer = _buffer)
        {
            do
            {
                read = Libc.Read(pipe.Fd, buffer, ReadBufferSize);
            }
            while (read < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);
        }

        if (read > 0)
        {
            pipe.Lines.Add(_buffer.AsSpan(0, (int)read));
            return true;
        }

        if (read < 0 && Marshal.GetLastPInvokeError() == Libc.EAGAIN)
        {
            return false;
        }

        // End of output (every writer has closed it), or an error that ends it.
        pipe.Lines.Flush();
        Remove(pipe);
        return false;
    }

    private void Reap(Child child)
    {
        var siginfo = stackalloc byte[Libc.SiginfoSize];
        new Span<byte>(siginfo, Libc.SiginfoSize).Clear();
        if (Libc.Waitid(Libc.P_PIDFD, (uint)child.Fd, siginfo, Libc.WEXITED | Libc.WNOHANG | Libc.WNOWAIT) == 0 && ReadPid(siginfo) == 0)
        {
            return;
        }

        // The main process is gone: nothing of the container may outlive it.
        Signals.SendToGroup(child.Pid, Signals.SIGKILL);
        for (var reads = 0; reads < MaxDrainReads && ReadOnce(child.Stdout); reads++)
        {
        }

        for (var reads = 0; reads < MaxDrainReads && ReadOnce(child.Stderr); reads++)
        {
        }

        ContainerExit exit;
        if (Libc.Waitid(Libc.P_PIDFD, (uint)child.Fd, siginfo, Libc.WEXITED | Libc.WNOHANG) == 0 && ReadPid(siginfo) != 0)
        {
            var code = *(int*)(siginfo + 8);
            var status = *(int*)(siginfo + 24);

            // As System.Diagnostics.Process reports it: a signal's end is 128 + the signal.
            exit = ContainerExit.FromCode(code == Libc.CLD_EXITED ? status : 128 + status);
        }
        else
        {
            exit = new ContainerExit(-1, "Error", $"the exit status of process {child.Pid} was lost: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        Remove(child);
        child.Exited(exit);
    }

    private void Reap(Monitor monitor)
    {
        var siginfo = stackalloc byte[Libc.SiginfoSize];
        _ = Libc.Waitid(Libc.P_PIDFD, (uint)monitor.Fd, siginfo, Libc.WEXITED | Libc.WNOHANG); // ECHILD for an adopted one: nothing to reap
        Remove(monitor);
        monitor.Exited();
    }

    private void Abandon(Watched watched, Exception exception)
    {
        if (watched.Fd >= 0)
        {
            Remove(watched);
        }

        if (watched is Child child)
        {
            child.Exited(new ContainerExit(-1, "Error", $"watching process {child.Pid} failed: {exception.Message}"));
        }
        else if (watched is Monitor monitor)
        {
            monitor.Exited();
        }
    }

    private static int ReadPid(byte* siginfo) => *(int*)(siginfo + 16);

    private abstract class Watched(int fd)
    {
        public int Fd { get; set; } = fd;

        public ulong Token { get; set; }
    }

    private sealed class Pipe(int fd, OutputLines lines) : Watched(fd)
    {
        public OutputLines Lines { get; } = lines;
    }

    private sealed class Monitor(int pidfd, Action exited) : Watched(pidfd)
    {
        public Action Exited { get; } = exited;
    }

    private sealed class Child(int pid, int pidfd, Action<ContainerExit> exited) : Watched(pidfd)
    {
        public int Pid { get; } = pid;

        public Action<ContainerExit> Exited { get; } = exited;

        public Pipe Stdout { get; set; } = null!;

        public Pipe Stderr { get; set; } = null!;
    }
}
