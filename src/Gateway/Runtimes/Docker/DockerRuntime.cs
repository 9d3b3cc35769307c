using Gateway.Events;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Docker.DotNet.Unix;
using ServiceSpec = Gateway.Specs.ServiceSpec;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// Each container instance is a Docker container on host networking, labelled with its service, pod,
/// container and template hash. A restart removes the old container and creates a new one, so every
/// instance starts from the image's filesystem. <c>command</c> is the entrypoint and <c>args</c> the
/// cmd, as in Kubernetes.
/// </summary>
internal sealed partial class DockerRuntime : IContainerRuntime, IAdoptingRuntime, IPodVolumesRuntime, IDisposable
{
    private static readonly TimeSpan AdoptionTimeout = TimeSpan.FromSeconds(30);

    private readonly DockerClient _client;
    private readonly DockerRuntimeOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly PodVolumes _volumes;

    /// <param name="catalog">The services; the pods' volumes are made in <c>volumes</c> of its state folder (<c>Gateway:StateDirectory</c>).</param>
    public DockerRuntime(DockerRuntimeOptions options, Specs.ServiceCatalog catalog, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory, PodShutdownPolicy? shutdown = null)
    {
        _shutdown = shutdown;
        _options = options;
        _lifetime = lifetime;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DockerRuntime>();
        _volumes = new PodVolumes(Path.Combine(catalog.Current.StateDirectory, "volumes"));
        var builder = new DockerClientBuilder().WithEndpoint(options.Endpoint);
        _client = options.Endpoint.Scheme == "unix" ? builder.WithTransportOptions(new UnixSocketTransportOptions()).Build() : builder.Build();
    }

    public Uri Endpoint => _options.Endpoint;

    private readonly PodShutdownPolicy? _shutdown;

    /// <summary>True once the gateway is stopping with <c>Gateway:KeepPodsOnShutdown</c> (or a hand-over): containers are left for the next gateway.</summary>
    private bool KeepContainers => (_shutdown?.KeepPods ?? _options.KeepContainersOnShutdown) && _lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Asks the engine whether it answers; throws when it does not.</summary>
    public Task PingAsync(CancellationToken cancellationToken) => _client.System.PingAsync(cancellationToken);

    public async Task<IContainerInstance> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var name = launch.Container.Name;
        if (string.IsNullOrEmpty(launch.Container.Image))
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerError, $"container \"{name}\" has no image: the Docker runtime needs one");
        }

        try
        {
            // A restart: the previous instance's container goes first, so the new one starts from the image.
            await RemoveAsync(Filter(DockerLabels.PodUid, launch.PodUid, DockerLabels.Container, name), cancellationToken);

            // As the kubelet: volumes are set up before the image is pulled.
            var binds = _volumes.Prepare(launch);
            var image = await EnsureImageAsync(launch, launch.Container.Image, cancellationToken);
            var id = await CreateAsync(launch, image, binds, cancellationToken);
            try
            {
                await _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            }
            catch (DockerApiException e)
            {
                await RemoveQuietlyAsync(id);
                throw new ContainerStartException(ContainerStartException.StartError, $"failed to start container \"{name}\": {DockerErrors.Message(e)}", e);
            }

            Log.Started(_logger, launch.PodName, name, id[..12]);
            var logger = _loggerFactory.CreateLogger<DockerContainer>();
            return DockerContainer.Attach(_client, id, () => KeepContainers, logger, ContainerLog.For(launch, logger));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The pod is being deleted: whatever the engine created before the cancellation goes too.
            await RemoveAsync(Filter(DockerLabels.PodUid, launch.PodUid, DockerLabels.Container, name), CancellationToken.None)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        catch (Exception e) when (e is not ContainerStartException && DockerErrors.IsUnreachable(e))
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerError, DockerErrors.Unreachable(_options.Endpoint, e), e);
        }
        catch (DockerApiException e)
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerError, $"failed to create container \"{name}\": {DockerErrors.Message(e)}", e);
        }
    }

    /// <summary>Applies <c>imagePullPolicy</c>; returns the reference to create the container from.</summary>
    private async Task<string> EnsureImageAsync(ContainerLaunch launch, string image, CancellationToken cancellationToken)
    {
        var reference = ImagePullDecision.WithDefaultTag(image);
        var present = await ImageExistsAsync(reference, cancellationToken);
        switch (ImagePullDecision.Decide(launch.Container.ImagePullPolicy, present))
        {
            case ImageAction.UseLocal:
                launch.RecordEvent(EventType.Normal, "Pulled", $"Container image \"{image}\" already present on machine");
                return reference;
            case ImageAction.NeverPullMissing:
                throw new ContainerStartException(ContainerStartException.ErrImageNeverPull, $"Container image \"{image}\" is not present with pull policy of Never");
        }

        launch.RecordEvent(EventType.Normal, "Pulling", $"Pulling image \"{image}\"");
        var clock = Stopwatch.StartNew();
        var error = await PullAsync(reference, cancellationToken);
        if (error is null)
        {
            launch.RecordEvent(EventType.Normal, "Pulled", string.Create(CultureInfo.InvariantCulture, $"Successfully pulled image \"{image}\" in {clock.Elapsed.TotalSeconds:0.###}s"));
            return reference;
        }

        if (ImagePullDecision.UseLocalAfterFailedPull(present))
        {
            launch.RecordEvent(EventType.Warning, "ImagePullFailed", $"Failed to pull image \"{image}\": {error}; using the image present on the machine");
            return reference;
        }

        throw new ContainerStartException(ContainerStartException.ErrImagePull, $"Failed to pull image \"{image}\": {error}");
    }

    private async Task<bool> ImageExistsAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Images.InspectImageAsync(reference, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Pulls <paramref name="reference"/>; returns the error, or null when it was pulled.</summary>
    private async Task<string?> PullAsync(string reference, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            await _client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = reference }, null,
                new Progress<JSONMessage>(m => error ??= m.Error?.Message), cancellationToken);
        }
        catch (DockerApiException e)
        {
            return DockerErrors.Message(e);
        }

        return error;
    }

    private async Task<string> CreateAsync(ContainerLaunch launch, string image, IReadOnlyList<VolumeBind> binds, CancellationToken cancellationToken)
    {
        var container = launch.Container;
        var command = Specs.EnvExpansion.Expand(container.Command, launch.Environment);
        var args = Specs.EnvExpansion.Expand(container.Args, launch.Environment);
        var parameters = new CreateContainerParameters
        {
            Name = ContainerName(launch),
            Image = image,
            Env = [.. launch.Environment.Select(e => $"{e.Key}={e.Value}")],
            Labels = DockerLabels.For(launch),
            HostConfig = Resources(container.Resources),
        };
        parameters.HostConfig.NetworkMode = NetworkModeOf(launch); // the pod's sandbox in Pod mode
        if (binds.Count > 0)
        {
            parameters.HostConfig.Mounts = [.. binds.Select(b => new Mount { Type = "bind", Source = b.HostPath, Target = b.MountPath, ReadOnly = b.ReadOnly })];
        }

        if (DockerTerminationMessage.MountFor(launch) is { } messageMount)
        {
            parameters.HostConfig.Mounts ??= [];
            parameters.HostConfig.Mounts.Add(messageMount);
        }

        // Kubernetes: command replaces the image's entrypoint (and with it its cmd), args replace its cmd.
        if (command.Length > 0)
        {
            parameters.Entrypoint = [.. command];
        }

        if (args.Length > 0)
        {
            parameters.Cmd = [.. args];
        }

        if (!string.IsNullOrEmpty(container.WorkingDir))
        {
            parameters.WorkingDir = container.WorkingDir;
        }

        try
        {
            return (await _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // A container of that name outlived whatever made it (a crashed gateway): it is not one of ours to keep.
            await RemoveQuietlyAsync(parameters.Name);
            return (await _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ID;
        }
    }

    /// <summary>Host networking (ports are injected as on the Process runtime) and <c>resources</c> as Docker's limits.</summary>
    private static HostConfig Resources(k8s.Models.V1ResourceRequirements? resources)
    {
        // Docker's init as PID 1 passes the stop signal on: the main process ends on SIGTERM as it would as
        // a host process, instead of ignoring it as PID 1 (a shell would make every stop wait out its grace).
        var host = new HostConfig { NetworkMode = "host", Init = true };
        if (resources?.Limits is { } limits)
        {
            if (limits.TryGetValue("memory", out var memory))
            {
                host.Memory = memory.ToInt64();
            }

            if (limits.TryGetValue("cpu", out var cpu))
            {
                host.NanoCPUs = (long)(cpu.ToDecimal() * 1_000_000_000m);
            }
        }

        if (resources?.Requests is { } requests && requests.TryGetValue("cpu", out var request))
        {
            // The kubelet's shares: 1024 per CPU, at least 2.
            host.CPUShares = Math.Max(2, (long)(request.ToDecimal() * 1024m));
        }

        return host;
    }

    /// <summary>Like the kubelet's <c>k8s_&lt;container&gt;_&lt;pod&gt;_&lt;namespace&gt;_&lt;uid&gt;_&lt;attempt&gt;</c>, readable in <c>docker ps</c>.</summary>
    private static string ContainerName(ContainerLaunch launch) =>
        string.Create(CultureInfo.InvariantCulture, $"gateway_{launch.Container.Name}_{launch.PodName}_{launch.Namespace}_{launch.PodUid[..8]}_{launch.RestartCount}");

    public async Task<IReadOnlyList<AdoptedPod>> AdoptAsync(IReadOnlyList<ServiceSpec> services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AdoptionTimeout);
        var token = timeout.Token;
        var listed = await _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = Filter(DockerLabels.Managed, "true") }, token);
        var found = new List<LabelledContainer>();
        foreach (var container in listed)
        {
            if (DockerLabels.Parse(container.ID, container.State == "running", container.Created, container.Labels.AsReadOnly()) is { } labelled)
            {
                found.Add(labelled);
            }
            else
            {
                await RemoveQuietlyAsync(container.ID);
            }
        }

        var (adopt, remove) = AdoptionPlan.Decide(services, found);
        foreach (var id in remove)
        {
            Log.RemovingLeftover(_logger, id[..12]);
            await RemoveQuietlyAsync(id);
        }

        // The volumes of pods that are not adopted are gone with their containers.
        _volumes.RemoveAllBut(adopt.Select(p => p.Uid).ToHashSet(StringComparer.Ordinal));
        var pods = new List<AdoptedPod>();
        foreach (var pod in adopt)
        {
            var containers = new List<AdoptedContainer>();
            foreach (var container in pod.Containers)
            {
                var inspect = await _client.Containers.InspectContainerAsync(container.Id, token);
                var startedAt = DateTimeOffset.TryParse(inspect.State?.StartedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : container.Created;
                var instance = DockerContainer.Attach(_client, container.Id, () => KeepContainers, _loggerFactory.CreateLogger<DockerContainer>());
                containers.Add(new AdoptedContainer(container.Container, instance, container.RestartCount, startedAt));
            }

            var ports = pod.Containers.ToImmutableDictionary(c => c.Container, c => c.Ports, StringComparer.Ordinal);
            pods.Add(new AdoptedPod(pod.Service.Name, pod.Pod, pod.Uid, ports, containers) { NetworkNamespace = await AdoptSandboxAsync(pod.Uid, token) });
        }

        await RemoveSandboxesBut(adopt.Select(p => p.Uid).ToHashSet(StringComparer.Ordinal), token);
        return pods;
    }

    private async Task RemoveAsync(IDictionary<string, IDictionary<string, bool>> filters, CancellationToken cancellationToken)
    {
        foreach (var container in await _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken))
        {
            await RemoveQuietlyAsync(container.ID);
        }
    }

    private async Task RemoveQuietlyAsync(string idOrName)
    {
        try
        {
            await _client.Containers.RemoveContainerAsync(idOrName, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e)
        {
            Log.RemoveFailed(_logger, idOrName, DockerErrors.Message(e));
        }
    }

    private static Dictionary<string, IDictionary<string, bool>> Filter(params string[] labelPairs)
    {
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (var i = 0; i < labelPairs.Length; i += 2)
        {
            labels[$"{labelPairs[i]}={labelPairs[i + 1]}"] = true;
        }

        return new Dictionary<string, IDictionary<string, bool>>(StringComparer.Ordinal) { ["label"] = labels };
    }

    public void RemovePodVolumes(string podUid) => _volumes.Remove(podUid);

    public void Dispose() => _client.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "pod {Pod}: container {Container} runs as docker container {Id}")]
        public static partial void Started(ILogger logger, string pod, string container, string id);

        [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "removing docker container {Id}: an earlier gateway left it and it matches no pod to adopt")]
        public static partial void RemovingLeftover(ILogger logger, string id);

        [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "could not remove docker container {Id}: {Error}")]
        public static partial void RemoveFailed(ILogger logger, string id, string error);
    }
}
