using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Runtimes;

/// <summary>
/// One pod's network namespace, as the gateway reaches into it: a file that names it (a bind mount
/// the Process runtime made, or <c>/proc/PID/ns/net</c> of a Docker sandbox), held open, and a
/// dedicated thread that has entered it with <c>setns(2)</c>. A socket is created on that thread and
/// so belongs to the pod's namespace for its whole life; it is connected, read and written from any
/// thread like any other, so a kept-alive connection costs exactly what one on the host does.
/// </summary>
/// <remarks>
/// Only the socket's creation goes through the thread (one hop, measured in bench/README.md's
/// pod-network note): setns changes the namespace of the calling thread alone, so a thread of the
/// pool never leaves the host's namespace.
/// </remarks>
internal sealed partial class PodNetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private readonly BlockingCollection<Action> _work = [];
    private readonly SafeFileHandle _file;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PodNetworkNamespace(string path, SafeFileHandle file)
    {
        Path = path;
        _file = file;
        _thread = new Thread(Run) { IsBackground = true, Name = "pod netns" };
        _thread.Start();
    }

    /// <summary>The file that names the namespace.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the namespace <paramref name="path"/> names and enters it on a thread of its own; throws
    /// <see cref="ContainerStartException"/> with the system's reason when it cannot.
    /// </summary>
    public static PodNetworkNamespace Open(string path)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainerStartException($"the pod's network namespace {path} cannot be opened: {e.Message}", e);
        }

        var opened = new PodNetworkNamespace(path, file);
        try
        {
            opened._entered.Task.GetAwaiter().GetResult();
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>A new TCP socket in the pod's namespace, for <paramref name="family"/>.</summary>
    public Task<Socket> CreateSocketAsync(AddressFamily family) => RunAsync(() => new Socket(family, SocketType.Stream, ProtocolType.Tcp));

    /// <summary>Runs <paramref name="work"/> on the thread that is in the namespace (something short: a socket's creation, a spawn).</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                try
                {
                    result.SetResult(work());
                }
                catch (Exception e)
                {
                    result.SetException(e);
                }
            });
        }
        catch (InvalidOperationException)
        {
            result.SetException(new ObjectDisposedException(nameof(PodNetworkNamespace), $"the pod's network namespace {Path} is closed: the pod is gone"));
        }

        return result.Task;
    }

    private void Run()
    {
        if (SetNs(_file.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
        {
            _entered.SetException(new ContainerStartException($"setns into the pod's network namespace {Path}: {Marshal.GetLastPInvokeErrorMessage()}"));
            return;
        }

        _entered.SetResult();
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _file.Dispose();
        if (_thread.ManagedThreadId != Environment.CurrentManagedThreadId && _thread.Join(TimeSpan.FromSeconds(5)))
        {
            _work.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
