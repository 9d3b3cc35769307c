using Gateway.Specs;

namespace Gateway.Runtimes;

/// <summary>
/// Where the container instances' logs are: as the kubelet's <c>/var/log/pods</c>, one folder per pod
/// (<c>&lt;namespace&gt;_&lt;pod&gt;_&lt;uid&gt;</c>, under <paramref name="root"/>, which is
/// <c>pods</c> in <c>Gateway:StateDirectory</c>), one per container in it, one file per instance
/// (<c>&lt;restartCount&gt;.log</c>). The pod's folder goes with the pod.
/// </summary>
public sealed class ContainerLogFiles(string root, Func<ContainerLogSettings> settings)
{
    /// <summary>The folder of the pods' folders.</summary>
    public string Root => root;

    /// <summary>The folder of one pod's logs.</summary>
    public string FolderOf(string ns, string pod, string uid) => Path.Combine(root, $"{ns}_{pod}_{uid}");

    /// <summary>The file of instance number <paramref name="restartCount"/> of <paramref name="container"/>, with the current bounds.</summary>
    public ContainerLogFileSpec For(string ns, string pod, string uid, string container, int restartCount) =>
        new(Path.Combine(FolderOf(ns, pod, uid), container, $"{restartCount}.log"), settings());

    /// <summary>Removes a deleted pod's folder; false if it could not be (left for the state folder's owner).</summary>
    public bool RemovePod(string ns, string pod, string uid)
    {
        var folder = FolderOf(ns, pod, uid);
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
