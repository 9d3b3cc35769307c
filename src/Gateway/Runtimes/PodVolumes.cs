using System.Collections.Immutable;
using System.Text;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Runtimes;

/// <summary>One of a container's <c>volumeMounts</c> with the host path it binds: what a runtime mounts at <see cref="MountPath"/>.</summary>
public sealed record VolumeBind(string Volume, string HostPath, string MountPath, bool ReadOnly);

/// <summary>
/// The pods' volumes on the host, one folder per pod under <c>root</c> (the gateway's state
/// folder): an <c>emptyDir</c> is a folder shared by the pod's containers, a <c>configMap</c> or
/// <c>secret</c> is its keys as files (mode 0644 unless <c>defaultMode</c> or an item's
/// <c>mode</c>), a <c>hostPath</c> is the host's path after its <c>type</c> check. Removed with the
/// pod. Runtime-neutral: the Docker runtime binds what <see cref="Prepare"/> returns; the Process
/// runtime can mount the same binds in a private mount namespace.
/// </summary>
public sealed class PodVolumes(string root)
{
    private const int DefaultMode = 0x1A4; // 0644, the API's default for configMap and secret volumes

    // Containers of one pod start at once: one preparation at a time, so a volume is made once.
    private readonly Lock _lock = new();

    public string Root => root;

    /// <summary>The folder of a pod's volumes.</summary>
    public string PodFolder(string podUid) => Path.Combine(root, podUid);

    /// <summary>
    /// Makes the volumes <paramref name="launch"/>'s container mounts and returns its binds.
    /// Throws <see cref="ContainerStartException"/> with the kubelet's reason and words when a volume
    /// cannot be set up (a ConfigMap or Secret that is not there, a hostPath of the wrong type).
    /// </summary>
    public IReadOnlyList<VolumeBind> Prepare(ContainerLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Container.VolumeMounts is not { Count: > 0 } mounts)
        {
            return [];
        }

        var binds = new List<VolumeBind>();
        lock (_lock)
        {
            foreach (var mount in mounts)
            {
                var volume = launch.Volumes.First(v => v.Name == mount.Name); // validated: every mount names a volume
                string host;
                try
                {
                    host = SetUp(volume, launch);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Failed(volume, e.Message);
                }

                var projected = volume.ConfigMap is not null || volume.Secret is not null;
                if (!string.IsNullOrEmpty(mount.SubPath))
                {
                    host = Path.Combine(host, mount.SubPath);
                    if (!projected && !Path.Exists(host))
                    {
                        Directory.CreateDirectory(host);
                    }
                }

                // The kubelet mounts configMap and secret volumes read-only whatever the mount says.
                binds.Add(new VolumeBind(volume.Name, host, mount.MountPath, mount.ReadOnlyProperty == true || projected));
            }
        }

        return binds;
    }

    /// <summary>Removes a pod's volume folder (not its hostPaths), once the pod is gone.</summary>
    public void Remove(string podUid)
    {
        try
        {
            var folder = PodFolder(podUid);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file a container left without write permission: the next sweep tries again.
        }
    }

    /// <summary>Removes the volume folders of every pod but <paramref name="keep"/>'s (after an adoption).</summary>
    public void RemoveAllBut(IReadOnlySet<string> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(root).Where(f => !keep.Contains(Path.GetFileName(f))))
        {
            Remove(Path.GetFileName(folder));
        }
    }

    private string SetUp(V1Volume volume, ContainerLaunch launch)
    {
        var folder = Path.Combine(PodFolder(launch.PodUid), volume.Name);
        if (volume.EmptyDir is not null)
        {
            if (!Directory.Exists(folder))
            {
                // 0777, as the kubelet makes an emptyDir: any user of any container may write there.
                Directory.CreateDirectory(folder);
                SetMode(folder, 0x1FF);
            }

            return folder;
        }

        if (volume.HostPath is { } hostPath)
        {
            return HostPath(volume, hostPath);
        }

        if (Directory.Exists(folder))
        {
            return folder;
        }

        var files = volume.ConfigMap is { } configMap ? ConfigMapFiles(volume, configMap, launch.Objects) : SecretFiles(volume, volume.Secret!, launch.Objects);
        var staging = Path.Combine(PodFolder(launch.PodUid), $".{volume.Name}.tmp");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        foreach (var (relative, content, mode) in files)
        {
            var file = Path.Combine(staging, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, content);
            SetMode(file, mode);
        }

        Directory.Move(staging, folder);
        return folder;
    }

    private static void SetMode(string path, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
    }

    private static string HostPath(V1Volume volume, V1HostPathVolumeSource hostPath)
    {
        var path = hostPath.Path;
        switch (hostPath.Type ?? "")
        {
            case "Directory" when !Directory.Exists(path):
                throw Failed(volume, $"hostPath type check failed: {path} is not a directory");
            case "File" when !File.Exists(path):
                throw Failed(volume, $"hostPath type check failed: {path} is not a file");
            case "FileOrCreate" when !Path.Exists(path):
                using (File.Create(path))
                {
                }

                break;
            case "FileOrCreate" when !File.Exists(path):
                throw Failed(volume, $"hostPath type check failed: {path} is not a file");
            case "" or "DirectoryOrCreate" when !Path.Exists(path):
                Directory.CreateDirectory(path);
                break;
            case "DirectoryOrCreate" when !Directory.Exists(path):
                throw Failed(volume, $"hostPath type check failed: {path} is not a directory");
        }

        return path;
    }

    private static List<(string Path, byte[] Content, int Mode)> ConfigMapFiles(V1Volume volume, V1ConfigMapVolumeSource source, ConfigObjects objects)
    {
        if (!objects.ConfigMaps.TryGetValue(source.Name, out var configMap))
        {
            return source.Optional == true ? [] : throw Failed(volume, $"configmap \"{source.Name}\" not found");
        }

        var keys = configMap.Data.Select(e => KeyValuePair.Create(e.Key, Encoding.UTF8.GetBytes(e.Value)))
            .Concat(configMap.BinaryData)
            .ToImmutableSortedDictionary(StringComparer.Ordinal);
        return Project(volume, keys, source.Items, source.DefaultMode, source.Optional == true, "configmap");
    }

    private static List<(string Path, byte[] Content, int Mode)> SecretFiles(V1Volume volume, V1SecretVolumeSource source, ConfigObjects objects)
    {
        if (!objects.Secrets.TryGetValue(source.SecretName, out var secret))
        {
            return source.Optional == true ? [] : throw Failed(volume, $"secret \"{source.SecretName}\" not found");
        }

        return Project(volume, secret, source.Items, source.DefaultMode, source.Optional == true, "secret");
    }

    // Every key as a file of its name, or only the items' keys at their paths (kubelet MakePayload).
    private static List<(string Path, byte[] Content, int Mode)> Project(
        V1Volume volume, ImmutableSortedDictionary<string, byte[]> keys, IList<V1KeyToPath>? items, int? defaultMode, bool optional, string kind)
    {
        var mode = defaultMode ?? DefaultMode;
        if (items is not { Count: > 0 })
        {
            return [.. keys.Select(e => (e.Key, e.Value, mode))];
        }

        var files = new List<(string, byte[], int)>();
        foreach (var item in items)
        {
            if (keys.TryGetValue(item.Key, out var content))
            {
                files.Add((item.Path, content, item.Mode ?? mode));
            }
            else if (!optional)
            {
                throw Failed(volume, $"{kind} references non-existent config key: {item.Key}");
            }
        }

        return files;
    }

    private static ContainerStartException Failed(V1Volume volume, string message) =>
        new(CreateContainerConfigError, $"MountVolume.SetUp failed for volume \"{volume.Name}\" : {message}");

    /// <summary>The reason a container waits with when its env or volumes cannot be made (the kubelet's).</summary>
    public const string CreateContainerConfigError = "CreateContainerConfigError";
}
