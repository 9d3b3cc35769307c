using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The Process runtime's pod network namespaces, one file each in the state folder's <c>netns</c>:
/// <c>unshare --net=FILE -- ip link set lo up</c> makes a namespace that lives on as that bind mount
/// (no process holds it), with only its loopback up; the pod's containers are spawned in it through
/// <c>nsenter --net=FILE</c>, which execs, so each keeps the pid the gateway spawned. It needs what a
/// mount namespace needs (<see cref="MountNamespaceHost"/>: root or <c>CAP_SYS_ADMIN</c>, util-linux)
/// and iproute2's <c>ip</c>; a first namespace made, entered and removed is the trial.
/// </summary>
internal sealed partial class NetworkNamespaceFiles(string folder, MountNamespaceHost host, string ip)
{
    private const int MntDetach = 2;

    private static readonly string[] IpPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

    /// <summary>Why this host gives pods no network namespace of their own; null when it does (tried once, on first use).</summary>
    public static string? Problem(string stateDirectory)
    {
        var host = MountNamespaceHost.Current;
        if (!host.Available)
        {
            return host.Problem;
        }

        var ip = IpPaths.FirstOrDefault(File.Exists);
        if (ip is null)
        {
            return "ip not found in /usr/sbin:/sbin:/usr/bin:/bin (install iproute2)";
        }

        var files = new NetworkNamespaceFiles(Path.Combine(stateDirectory, "netns"), host, ip);
        var trial = files.PathOf("trial-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            files.Create(trial);
            using var entered = PodNetworkNamespace.Open(trial);
            entered.CreateSocketAsync(System.Net.Sockets.AddressFamily.InterNetwork).GetAwaiter().GetResult().Dispose();
            return null;
        }
        catch (ContainerStartException e)
        {
            return e.Message;
        }
        finally
        {
            Remove(trial);
        }
    }

    /// <summary>This host's, in <paramref name="stateDirectory"/>; call only once <see cref="Problem"/> said null.</summary>
    public static NetworkNamespaceFiles For(string stateDirectory) =>
        new(Path.Combine(stateDirectory, "netns"), MountNamespaceHost.Current, IpPaths.First(File.Exists));

    /// <summary>The file of pod <paramref name="podUid"/>'s namespace.</summary>
    public string PathOf(string podUid) => Path.Combine(folder, podUid);

    /// <summary>Makes the namespace bound at <paramref name="path"/>, its loopback up. Throws <see cref="ContainerStartException"/> with what unshare or ip said.</summary>
    public void Create(string path)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, []);
        var start = new ProcessStartInfo(host.Unshare) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { $"--net={path}", "--", ip, "link", "set", "lo", "up" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                throw new ContainerStartException($"unshare --net did not finish within 10 s making the pod's network namespace {path}");
            }

            if (process.ExitCode != 0)
            {
                throw new ContainerStartException($"the pod's network namespace {path} could not be made: unshare --net: {error.Result.Trim()}");
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Remove(path);
            throw new ContainerStartException($"the pod's network namespace could not be made: unshare could not run: {e.Message}", e);
        }
        catch
        {
            Remove(path);
            throw;
        }
    }

    /// <summary>The command that runs <paramref name="argv"/> (argv[0] a path) in the namespace at <paramref name="path"/>; nsenter execs it, so its pid is the one spawned.</summary>
    public IReadOnlyList<string> Enter(string path, IReadOnlyList<string> argv) => [host.Nsenter, $"--net={path}", "--", .. argv];

    /// <summary>nsenter's own path, the program <see cref="Enter"/>'s command is spawned as.</summary>
    public string Nsenter => host.Nsenter;

    /// <summary>
    /// Unbinds and deletes the namespace's file; the namespace itself ends with the last process in
    /// it (and with the last mount namespace that copied the binding, made while it was there).
    /// </summary>
    public static void Remove(string path)
    {
        _ = Umount2(path, MntDetach);
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still bound (busy): the next gateway's state folder is another; nothing reads it again.
        }
    }

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Umount2(string target, int flags);
}
