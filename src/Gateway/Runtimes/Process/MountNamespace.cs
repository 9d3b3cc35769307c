using System.Globalization;
using System.Text;

namespace Gateway.Runtimes.Process;

/// <summary>
/// Whether this host lets the Process runtime give a container a private mount namespace, and the
/// util-linux programs it does that with. It needs root or <c>CAP_SYS_ADMIN</c> (unprivileged user
/// namespaces are not used), <c>unshare</c>, <c>nsenter</c> and <c>mount</c>, and a first
/// <c>unshare --mount</c> that works (a seccomp profile or a container may still refuse it).
/// </summary>
internal sealed record MountNamespaceHost(string? Problem, string Unshare, string Nsenter, string Mount, string Mkdir, string Touch, string Shell)
{
    private static readonly Lazy<MountNamespaceHost> Detected = new(Detect);

    /// <summary>This host, detected once.</summary>
    public static MountNamespaceHost Current => Detected.Value;

    public bool Available => Problem is null;

    private static readonly string[] ToolFolders = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

    private const int CapSysAdmin = 21;

    private static MountNamespaceHost Detect()
    {
        string Find(string name) => ToolFolders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists) ?? "";
        var host = new MountNamespaceHost(null, Find("unshare"), Find("nsenter"), Find("mount"), Find("mkdir"), Find("touch"), File.Exists("/bin/sh") ? "/bin/sh" : "");
        if (!OperatingSystem.IsLinux())
        {
            return host with { Problem = "mount namespaces are Linux's" };
        }

        if (!Environment.IsPrivilegedProcess && !HasCapability(CapSysAdmin))
        {
            return host with { Problem = "the gateway runs neither as root nor with CAP_SYS_ADMIN" };
        }

        var missing = new[] { ("unshare", host.Unshare), ("nsenter", host.Nsenter), ("mount", host.Mount), ("mkdir", host.Mkdir), ("touch", host.Touch), ("sh", host.Shell) }
            .Where(tool => tool.Item2.Length == 0).Select(tool => tool.Item1).ToList();
        if (missing.Count > 0)
        {
            return host with { Problem = $"{string.Join(", ", missing)} not found in {string.Join(":", ToolFolders)} (install util-linux)" };
        }

        return host with { Problem = Try(host) };
    }

    /// <summary>Whether the effective capability set (<c>CapEff</c> in /proc/self/status) holds <paramref name="capability"/>.</summary>
    private static bool HasCapability(int capability)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            return line is not null
                && ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
                && (mask & (1UL << capability)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>One real <c>unshare --mount</c> with a tmpfs mounted in it: null when it works, else what it said.</summary>
    private static string? Try(MountNamespaceHost host)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(host.Unshare) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in new[] { "--mount", "--propagation", "private", "--", host.Mount, "-t", "tmpfs", "tmpfs", "/tmp" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = System.Diagnostics.Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                return "unshare --mount did not finish within 10 s";
            }

            return process.ExitCode == 0 ? null : $"unshare --mount failed: {error.Result.Trim()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"unshare --mount could not run: {e.Message}";
        }
    }
}

/// <summary>
/// A container instance's private mount namespace, as command lines (pure): the container is
/// spawned as <c>unshare --mount --propagation private -- sh -c 'mounts; exec "$@"' sh argv...</c>,
/// so the app keeps the pid the gateway spawned; commands exec'd in it go through
/// <c>nsenter --mount --target pid --wd</c>.
/// </summary>
/// <remarks>
/// The namespace has a fresh tmpfs on <c>/tmp</c>: it is mounted first on <see cref="Stage"/> (an
/// empty folder of the gateway's, the same for every container: each namespace mounts on it
/// privately), filled with the binds that go under <c>/tmp</c>, then moved onto <c>/tmp</c>, so
/// sources on the host's <c>/tmp</c> (the gateway's state folder) are still reachable while the
/// binds are made. The host folders in <see cref="Keep"/> (the gateway's own folders under /tmp:
/// working folders, termination messages, the settings' folder) are bound back at their paths.
/// A volume mounted elsewhere needs its mountPath to exist on the host (nothing is created on the
/// host's own filesystem); under <c>/tmp</c> any mountPath is made in the tmpfs.
/// </remarks>
internal sealed record MountNamespace(MountNamespaceHost Host, string Stage, IReadOnlyList<string> Keep)
{
    public const string Tmp = "/tmp";

    /// <summary>
    /// The command that starts <paramref name="argv"/> in a namespace of its own with
    /// <paramref name="binds"/> mounted. <paramref name="isFile"/> tells which sources are files
    /// (a file is bound onto a file). Throws <see cref="ContainerStartException"/> for a mountPath
    /// outside /tmp that <paramref name="exists"/> says is not on the host.
    /// </summary>
    /// <remarks><paramref name="privateTmp"/> false (<c>Gateway:Process:PrivateTmp</c>): no tmpfs, the host's /tmp, and every mountPath must exist on the host.</remarks>
    public ProcessMounts.Spawned Spawn(IReadOnlyList<string> argv, IReadOnlyList<VolumeBind> binds, Func<string, bool> isFile, Func<string, bool> exists, bool privateTmp = true)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(binds);
        var script = new StringBuilder("set -e\n");
        if (privateTmp)
        {
            script.Append(CultureInfo.InvariantCulture, $"{Host.Mount} -t tmpfs -o mode=1777 tmpfs {Quote(Stage)}\n");
        }

        var outside = new List<VolumeBind>();
        var inside = new List<(string Source, string Target, bool ReadOnly)>();
        foreach (var keep in Keep.Select(k => k.TrimEnd('/')).Where(k => privateTmp && UnderTmp(k) is { Length: > 0 }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            inside.Add((keep, UnderTmp(keep)!, false));
        }

        foreach (var bind in binds.OrderBy(b => b.MountPath.TrimEnd('/').Length))
        {
            if (privateTmp && UnderTmp(bind.MountPath) is { } relative)
            {
                inside.Add((bind.HostPath, relative, bind.ReadOnly));
            }
            else if (!exists(bind.MountPath))
            {
                throw new ContainerStartException(
                    $"volume \"{bind.Volume}\": mountPath {bind.MountPath} does not exist on this host: the Process runtime mounts a volume over an existing folder or file, " +
                    (privateTmp ? $"or anywhere under {Tmp} (its private tmpfs); create {bind.MountPath} on the host, or mount the volume under {Tmp}" : $"create {bind.MountPath} on the host"),
                    reason: PodVolumes.CreateContainerConfigError);
            }
            else
            {
                outside.Add(bind);
            }
        }

        // Elsewhere first, while the host's /tmp (where the sources are) is still in view.
        foreach (var bind in outside)
        {
            AppendBind(script, bind.HostPath, bind.MountPath.TrimEnd('/'), bind.ReadOnly, makeTarget: null);
        }

        foreach (var (source, relative, readOnly) in inside)
        {
            var target = relative.Length == 0 ? Stage : $"{Stage.TrimEnd('/')}/{relative}";
            AppendBind(script, source, target, readOnly, makeTarget: isFile(source) ? "file" : "folder");
        }

        if (privateTmp)
        {
            script.Append(CultureInfo.InvariantCulture, $"{Host.Mount} --move {Quote(Stage)} {Tmp}\n");
        }

        script.Append("exec \"$@\"");
        return new ProcessMounts.Spawned(Host.Unshare, [Host.Unshare, "--mount", "--propagation", "private", "--", Host.Shell, "-c", script.ToString(), "sh", .. argv], this);
    }

    private void AppendBind(StringBuilder script, string source, string target, bool readOnly, string? makeTarget)
    {
        var quoted = Quote(target);
        if (makeTarget == "folder")
        {
            script.Append(CultureInfo.InvariantCulture, $"{Host.Mkdir} -p {quoted}\n");
        }
        else if (makeTarget == "file")
        {
            script.Append(CultureInfo.InvariantCulture, $"{Host.Mkdir} -p {Quote(Path.GetDirectoryName(target)!)}\n{Host.Touch} {quoted}\n");
        }

        script.Append(CultureInfo.InvariantCulture, $"{Host.Mount} --bind {Quote(source)} {quoted}\n");
        if (readOnly)
        {
            script.Append(CultureInfo.InvariantCulture, $"{Host.Mount} -o remount,bind,ro {quoted}\n");
        }
    }

    /// <summary><paramref name="command"/> run in the mount namespace of process <paramref name="pid"/>, in that process's working folder.</summary>
    public IReadOnlyList<string> Enter(int pid, IReadOnlyList<string> command) =>
        [Host.Nsenter, "--mount", "--target", pid.ToString(CultureInfo.InvariantCulture), "--wd", "--", .. command];

    /// <summary>
    /// Whether process <paramref name="pid"/> finds <paramref name="name"/> in its mount namespace,
    /// as execvp would there (looked at through <c>/proc/pid/root</c> and <c>/proc/pid/cwd</c>): a
    /// command that is not there is refused with the runtime's words, not nsenter's.
    /// </summary>
    public static bool Finds(int pid, string name, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(environment);
        var root = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/root";
        if (name.StartsWith('/'))
        {
            return File.Exists(root + name);
        }

        var path = environment.TryGetValue("PATH", out var value) ? value : Environment.GetEnvironmentVariable("PATH") ?? "";
        var inNamespace = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["PATH"] = string.Join(':', path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => d.StartsWith('/') ? root + d : d)),
        };
        return ProcessExec.FindProgram(name, $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cwd", inNamespace) is not null;
    }

    /// <summary>
    /// What of the host's /tmp a container names and so must still see in its private one: the
    /// folder of its program, of each argument that is an absolute path to a file (a program's
    /// files sit beside it: <c>dotnet /tmp/checkout/app/App.dll</c> needs the whole folder), each
    /// argument that is a folder, and its working folder; a file straight in /tmp is kept alone.
    /// The seed's <c>/tmp/healthy</c>, which no longer exists when the container starts again, is
    /// not kept: that is the point of a fresh /tmp.
    /// </summary>
    public static IEnumerable<string> NamedPaths(string program, IReadOnlyList<string> argv, string? workingDirectory, Func<string, bool> isFile, Func<string, bool> isFolder)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(isFile);
        ArgumentNullException.ThrowIfNull(isFolder);
        IEnumerable<string> Candidates()
        {
            yield return program;
            foreach (var argument in argv.Skip(1))
            {
                yield return argument;
            }

            if (!string.IsNullOrEmpty(workingDirectory))
            {
                yield return workingDirectory;
            }
        }

        foreach (var candidate in Candidates())
        {
            if (!candidate.StartsWith('/') || candidate.Contains('\0', StringComparison.Ordinal))
            {
                continue;
            }

            var full = Path.GetFullPath(candidate);
            if (UnderTmp(full) is not { Length: > 0 })
            {
                continue;
            }

            if (isFolder(full))
            {
                yield return full;
            }
            else if (isFile(full))
            {
                var folder = Path.GetDirectoryName(full)!;
                yield return UnderTmp(folder) is { Length: > 0 } ? folder : full;
            }
        }
    }

    /// <summary>The path below /tmp ("" for /tmp itself), or null for a path elsewhere.</summary>
    public static string? UnderTmp(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed == Tmp ? "" : trimmed.StartsWith(Tmp + "/", StringComparison.Ordinal) ? trimmed[(Tmp.Length + 1)..] : null;
    }

    /// <summary>A word for sh: single-quoted, a quote inside as <c>'\''</c>.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
