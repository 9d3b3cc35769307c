using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// One container instance as a Docker container. Its exit comes from the engine's wait API; an engine
/// that stops answering is not an exit: the instance is asked about again once the engine is back (with
/// <c>--live-restore</c> the container runs on meanwhile). Disposing removes the container, unless the
/// gateway is shutting down with <c>KeepContainersOnShutdown</c>.
/// </summary>
internal sealed partial class DockerContainer : IContainerInstance, IUsageReporting, IInteractiveExec
{
    /// <summary>Output an exec keeps: the kubelet's 10 KiB.</summary>
    private const int ExecOutputLimit = 10 * 1024;

    private static readonly TimeSpan EngineRetry = TimeSpan.FromSeconds(1);

    /// <summary>How long past its grace period a stop keeps asking an engine that does not answer.</summary>
    private static readonly TimeSpan StopRetryMargin = TimeSpan.FromSeconds(30);

    private readonly DockerClient _client;
    private readonly Func<bool> _keepOnDispose;
    private readonly ILogger _logger;
    private readonly ContainerLog _log;

    /// <summary>Ends when the engine's log stream of the container ends (after its exit): the exit is reported once its output is in <see cref="IContainerInstance.Log"/>.</summary>
    private Task _logsFollowed = Task.CompletedTask;
    private readonly CancellationTokenSource _disposed = new();
    private readonly TaskCompletionSource<ContainerExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DockerContainer(DockerClient client, string id, Func<bool> keepOnDispose, ILogger logger, ContainerLog? log)
    {
        _log = log ?? new ContainerLog();
        _client = client;
        Id = id;
        _keepOnDispose = keepOnDispose;
        _logger = logger;
    }

    /// <summary>The Docker container id.</summary>
    public string Id { get; }

    public Task<ContainerExit> Exited => _exited.Task;

    /// <summary>Watches a started (or adopted) container: its exit and its output, into <paramref name="log"/> (a started one's file; an adopted one's, in memory).</summary>
    public static DockerContainer Attach(DockerClient client, string id, Func<bool> keepOnDispose, ILogger logger, ContainerLog? log = null)
    {
        var container = new DockerContainer(client, id, keepOnDispose, logger, log);
        container._logsFollowed = container.FollowLogsAsync();
        _ = container.WatchExitAsync();
        return container;
    }

    private async Task WatchExitAsync()
    {
        var token = _disposed.Token;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _client.Containers.WaitContainerAsync(Id, token);
                failures = 0;
                var inspect = await _client.Containers.InspectContainerAsync(Id, token);
                if (inspect.State is null || inspect.State.Running)
                {
                    continue;
                }

                // The exit is reported with all of the container's output read, as the Process runtime reports it
                // (a termination message falls back to the log's tail); a stream the engine does not end is not waited on for long.
                await Task.WhenAny(_logsFollowed, Task.Delay(LogsAfterExit, token));
                _log.Complete();
                _exited.TrySetResult(ExitOf(inspect.State));
                return;
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed behind the gateway's back (docker rm -f): the kubelet's word for a container it cannot find.
                _log.Complete();
                _exited.TrySetResult(new ContainerExit(137, "ContainerStatusUnknown", "The container could not be located when the pod was terminated"));
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Once per outage: the engine monitor reports the outage itself.
                if (failures++ == 0)
                {
                    Log.WatchFailed(_logger, Id, DockerErrors.Message(e));
                }

                try
                {
                    await Task.Delay(EngineRetry, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>How long an exit waits for the end of the container's log stream.</summary>
    private static readonly TimeSpan LogsAfterExit = TimeSpan.FromSeconds(1);

    private static ContainerExit ExitOf(State state)
    {
        var code = (int)state.ExitCode;
        var reason = state.OOMKilled ? "OOMKilled" : code == 0 ? "Completed" : "Error";
        return new ContainerExit(code, reason, string.IsNullOrEmpty(state.Error) ? null : state.Error);
    }

    private async Task FollowLogsAsync()
    {
        var token = _disposed.Token;
        try
        {
            using var stream = await _client.Containers.GetContainerLogsAsync(Id, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = true, Timestamps = true }, token);
            var lines = new DockerLogLines(_log, TimeProvider.System);
            var buffer = new byte[8192];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, token);
                if (read.EOF)
                {
                    break;
                }

                lines.Add(read.Target, buffer.AsSpan(0, read.Count));
            }

            lines.Flush();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.LogsFailed(_logger, Id, DockerErrors.Message(e));
        }
    }

    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        if (_exited.Task.IsCompleted || _keepOnDispose())
        {
            return;
        }

        // An engine that does not answer is asked again (a kill must not be lost to an outage), but not
        // forever: past the grace period and a margin the stop is given up and logged.
        var giveUpAt = DateTimeOffset.UtcNow + gracePeriod + StopRetryMargin;
        while (true)
        {
            try
            {
                // Docker's stop: the image's stop signal (SIGTERM), SIGKILL once the grace period has run out.
                var seconds = (uint)Math.Max(0, Math.Ceiling(gracePeriod.TotalSeconds));
                await _client.Containers.StopContainerAsync(Id, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken);
                await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                return;
            }
            catch (DockerContainerNotFoundException)
            {
                return;
            }
            catch (TimeoutException)
            {
                Log.StopUnconfirmed(_logger, Id);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && DockerErrors.IsUnreachable(e) && DateTimeOffset.UtcNow < giveUpAt && !_exited.Task.IsCompleted)
            {
                await Task.Delay(EngineRetry, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.StopFailed(_logger, Id, DockerErrors.Message(e));
                return;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> through the exec API. Past <paramref name="timeout"/> the exec'd
    /// process and its children are killed (by their host pids: the engine has no API to end an exec).
    /// </summary>
    public async Task<ExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var exec = await _client.Exec.CreateContainerExecAsync(Id, new ContainerExecCreateParameters
        {
            Cmd = [.. command],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);

        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var output = new BoundedOutput(ExecOutputLimit);
        try
        {
            using var stream = await _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), linked.Token);
            var buffer = new byte[4096];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, linked.Token).WaitAsync(linked.Token);
                if (read.EOF)
                {
                    break;
                }

                output.Add(buffer.AsSpan(0, read.Count));
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await KillAsync(exec.ID);
            return new ExecResult(-1, output.ToString(), TimedOut: true);
        }

        // The stream ends as the process does; the engine may take a moment to record the exit code.
        for (var attempt = 0; ; attempt++)
        {
            var inspect = await _client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken);
            if (!inspect.Running && inspect.ExitCode is { } code)
            {
                return new ExecResult((int)code, output.ToString(), TimedOut: false);
            }

            if (attempt == 100)
            {
                await KillAsync(exec.ID);
                return new ExecResult(-1, output.ToString(), TimedOut: true);
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private async Task KillAsync(string execId)
    {
        try
        {
            var inspect = await _client.Exec.InspectContainerExecAsync(execId, CancellationToken.None);
            if (inspect.Running && inspect.Pid > 0)
            {
                ProcessTree.Kill((int)inspect.Pid);
            }
        }
        catch (Exception e)
        {
            Log.ExecKillFailed(_logger, Id, DockerErrors.Message(e));
        }
    }

    public Task<IExecSession> StartExecAsync(ExecSpec spec, ExecOutput output, CancellationToken cancellationToken) =>
        DockerInteractiveExec.StartAsync(_client, Id, spec, output, cancellationToken);

    ContainerLog IContainerInstance.Log => _log;

    public Task<ContainerUsage?> ReadUsageAsync(CancellationToken cancellationToken) => DockerUsage.ReadAsync(_client, Id, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();

        // Its log is no longer followed: a follower of it ends (a kept container's output goes on in the engine).
        _log.Complete();
        if (!_keepOnDispose())
        {
            try
            {
                await _client.Containers.RemoveContainerAsync(Id, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            }
            catch (DockerContainerNotFoundException)
            {
            }
            catch (Exception e)
            {
                Log.RemoveFailed(_logger, Id, DockerErrors.Message(e));
            }
        }

        _disposed.Dispose();
    }

    /// <summary>stdout and stderr in the order they arrive, cut at the limit.</summary>
    private sealed class BoundedOutput(int limit)
    {
        private readonly byte[] _bytes = new byte[limit];
        private int _length;

        public void Add(ReadOnlySpan<byte> bytes)
        {
            var count = Math.Min(bytes.Length, limit - _length);
            bytes[..count].CopyTo(_bytes.AsSpan(_length));
            _length += count;
        }

        public override string ToString() => Encoding.UTF8.GetString(_bytes, 0, _length);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "docker container {Id}: cannot learn whether it still runs ({Error}); asking every second until the engine answers")]
        public static partial void WatchFailed(ILogger logger, string id, string error);

        [LoggerMessage(EventId = 901, Level = LogLevel.Debug, Message = "docker container {Id}: log stream ended: {Error}")]
        public static partial void LogsFailed(ILogger logger, string id, string error);

        [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "docker container {Id}: stop failed: {Error}")]
        public static partial void StopFailed(ILogger logger, string id, string error);

        [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "docker container {Id}: the engine stopped it but did not report its exit in time")]
        public static partial void StopUnconfirmed(ILogger logger, string id);

        [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "docker container {Id}: could not kill a timed-out exec: {Error}")]
        public static partial void ExecKillFailed(ILogger logger, string id, string error);

        [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "docker container {Id}: could not remove it: {Error}")]
        public static partial void RemoveFailed(ILogger logger, string id, string error);
    }
}
