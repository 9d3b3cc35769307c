using System.Collections.Concurrent;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// The Docker runtime's pod networks (Pod mode): a pause-like sandbox container per pod, busybox's
/// <c>sleep</c> with <c>--network none</c> (only its loopback), and the pod's containers on
/// <c>--network container:&lt;sandbox&gt;</c>, as the kubelet's pause container. The gateway reaches
/// the namespace through <c>/proc/PID/ns/net</c> of the sandbox's process, so the engine must run on
/// this host and the gateway as root (or with <c>CAP_SYS_ADMIN</c>); elsewhere set
/// <c>Gateway:PodNetwork: Host</c>.
/// </summary>
/// <remarks>
/// The sandbox is labelled <see cref="SandboxLabel"/> only, not as a managed container: adoption,
/// which reads managed containers, never takes it for one of the pod's; it takes an adopted pod's
/// sandbox with it, and removes the sandboxes of pods it does not adopt.
/// </remarks>
internal sealed partial class DockerRuntime : IPodNetworkRuntime
{
    /// <summary>The sandbox's image: busybox, which the Docker runtime's examples use already; pulled like any image when missing.</summary>
    public const string SandboxImage = "busybox:latest";

    /// <summary>The label that names a sandbox's pod uid.</summary>
    public const string SandboxLabel = "io.gateway.sandbox-of";

    private readonly ConcurrentDictionary<string, string> _sandboxes = new(StringComparer.Ordinal);

    public async Task<string> CreatePodNetworkAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var name = $"gateway_sandbox_{launch.PodName}_{launch.Namespace}_{launch.PodUid[..8]}";
        try
        {
            await RemoveAsync(Filter(SandboxLabel, launch.PodUid), cancellationToken);
            var image = await EnsureImageAsync(launch with { Container = new k8s.Models.V1Container { Name = "sandbox", Image = SandboxImage, ImagePullPolicy = "IfNotPresent" } },
                SandboxImage, cancellationToken);
            var parameters = new CreateContainerParameters
            {
                Name = name,
                Image = image,
                Entrypoint = ["sleep", "2147483647"],
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [SandboxLabel] = launch.PodUid },
                HostConfig = new HostConfig { NetworkMode = "none", Init = true },
            };
            var id = (await _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ID;
            _sandboxes[launch.PodUid] = id;
            await _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            var pid = (await _client.Containers.InspectContainerAsync(id, cancellationToken)).State?.Pid ?? 0;
            var path = $"/proc/{pid}/ns/net";
            if (pid <= 0 || !File.Exists(path))
            {
                throw new ContainerStartException(ContainerStartException.CreateContainerError,
                    $"the pod's sandbox container {id[..12]} runs as pid {pid}, which this gateway cannot see: the Docker engine must run on this host for a network namespace per pod; set Gateway:PodNetwork to \"Host\"");
            }

            return path;
        }
        catch (DockerApiException e)
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerError, $"failed to create the pod's sandbox container (image {SandboxImage}): {DockerErrors.Message(e)}", e);
        }
        catch (Exception e) when (e is not ContainerStartException && e is not OperationCanceledException && DockerErrors.IsUnreachable(e))
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerError, DockerErrors.Unreachable(_options.Endpoint, e), e);
        }
    }

    /// <summary>
    /// An adopted pod's sandbox (Pod mode under an earlier gateway): taken over, so that its
    /// containers restart on its network and the gateway enters it again. Returns the namespace's
    /// path, or null when the pod has no running sandbox (it was on the host's network).
    /// </summary>
    private async Task<string?> AdoptSandboxAsync(string podUid, CancellationToken cancellationToken)
    {
        var sandbox = (await _client.Containers.ListContainersAsync(new ContainersListParameters { Filters = Filter(SandboxLabel, podUid) }, cancellationToken)).FirstOrDefault();
        if (sandbox is null)
        {
            return null;
        }

        var pid = (await _client.Containers.InspectContainerAsync(sandbox.ID, cancellationToken)).State?.Pid ?? 0;
        var path = $"/proc/{pid}/ns/net";
        if (pid <= 0 || !File.Exists(path))
        {
            return null;
        }

        _sandboxes[podUid] = sandbox.ID;
        return path;
    }

    /// <summary>Sandboxes an earlier gateway left whose pods were not adopted: nothing else removes them.</summary>
    private async Task RemoveSandboxesBut(HashSet<string> adopted, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, IDictionary<string, bool>>(StringComparer.Ordinal) { ["label"] = new Dictionary<string, bool>(StringComparer.Ordinal) { [SandboxLabel] = true } };
        foreach (var sandbox in await _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = all }, cancellationToken))
        {
            if (!sandbox.Labels.TryGetValue(SandboxLabel, out var uid) || !adopted.Contains(uid))
            {
                await RemoveQuietlyAsync(sandbox.ID);
            }
        }
    }

    public async Task RemovePodNetworkAsync(string podUid)
    {
        if (_sandboxes.TryRemove(podUid, out var id) && !KeepContainers)
        {
            await RemoveQuietlyAsync(id);
        }
    }

    /// <summary>The network a container of <paramref name="launch"/>'s pod joins: its sandbox's in Pod mode, else the host's.</summary>
    private string NetworkModeOf(ContainerLaunch launch) =>
        launch.NetworkNamespace is null ? "host"
        : _sandboxes.TryGetValue(launch.PodUid, out var sandbox) ? $"container:{sandbox}"
        : throw new ContainerStartException(ContainerStartException.CreateContainerError, $"pod {launch.PodName} has no sandbox container to join");
}
