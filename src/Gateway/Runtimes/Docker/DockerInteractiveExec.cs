using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// <c>kubectl exec</c> in a Docker container: the engine's exec API with stdin, stdout and stderr
/// attached over one hijacked connection (multiplexed, or raw under a terminal), resized through the
/// exec's resize endpoint, its exit code from the exec's inspection once the stream has ended. The
/// engine's own words for a command it cannot start (an OCI runtime error on the stream, exit code
/// 126 or 127) reach kubectl as they reach <c>docker exec</c>.
/// </summary>
internal sealed class DockerInteractiveExec : IExecSession
{
    private readonly DockerClient _client;
    private readonly string _execId;
    private readonly MultiplexedStream _stream;
    private readonly bool _tty;
    private int _stdinClosed;

    private DockerInteractiveExec(DockerClient client, string execId, MultiplexedStream stream, bool tty, ExecOutput output)
    {
        _client = client;
        _execId = execId;
        _stream = stream;
        _tty = tty;
        Completion = RunAsync(output);
    }

    public Task<int> Completion { get; }

    /// <summary>Creates and starts the exec; an engine that refuses it (container gone, engine down) is an <see cref="ExecStartException"/>.</summary>
    public static async Task<IExecSession> StartAsync(DockerClient client, string containerId, ExecSpec spec, ExecOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            var exec = await client.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
            {
                Cmd = [.. spec.Command],
                AttachStdin = spec.Stdin,
                AttachStdout = true,
                AttachStderr = true,
                TTY = spec.Tty,
            }, cancellationToken);
            var stream = await client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { TTY = spec.Tty }, cancellationToken);
            var session = new DockerInteractiveExec(client, exec.ID, stream, spec.Tty, output);
            if (spec.Size is { } size)
            {
                await session.ResizeAsync(size, cancellationToken);
            }

            return session;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            throw new ExecStartException($"failed to exec in container: {DockerErrors.Message(e)}", e);
        }
    }

    public async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stdinClosed) != 0)
        {
            return;
        }

        try
        {
            await _stream.WriteAsync(data.ToArray(), 0, data.Length, cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The command has ended: nobody reads its input any more.
        }
    }

    public ValueTask CloseStdinAsync()
    {
        if (Interlocked.Exchange(ref _stdinClosed, 1) == 0)
        {
            try
            {
                _stream.CloseWrite();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // Already gone with the command.
            }
        }

        return ValueTask.CompletedTask;
    }

    public async Task ResizeAsync(TerminalSize size, CancellationToken cancellationToken)
    {
        if (!_tty)
        {
            return;
        }

        try
        {
            await _client.Exec.ResizeExecTtyAsync(_execId, new ContainerResizeParameters { Width = size.Width, Height = size.Height }, cancellationToken);
        }
        catch (DockerApiException)
        {
            // The exec ended between the client's resize and the engine's: nothing left to resize.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Completion.IsCompleted)
        {
            // The engine has no API to end an exec: the client went away, so its process tree is killed by host pid.
            try
            {
                var inspect = await _client.Exec.InspectContainerExecAsync(_execId, CancellationToken.None);
                if (inspect.Running && inspect.Pid > 0)
                {
                    ProcessTree.Kill((int)inspect.Pid);
                }
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
            {
                // The engine went with it; the stream ends either way.
            }
        }

        await ((Task)Completion).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stream.Dispose();
    }

    private async Task<int> RunAsync(ExecOutput output)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None);
                if (read.EOF)
                {
                    break;
                }

                var stream = read.Target == MultiplexedStream.TargetStream.StandardError ? ExecStream.Stderr : ExecStream.Stdout;
                await output(stream, buffer.AsMemory(0, read.Count), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The connection to the engine ended: so has the exec's output.
        }

        // The stream ends as the process does; the engine may take a moment to record the exit code.
        try
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var inspect = await _client.Exec.InspectContainerExecAsync(_execId, CancellationToken.None);
                if (!inspect.Running && inspect.ExitCode is { } code)
                {
                    return (int)code;
                }

                await Task.Delay(10);
            }
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            // The engine did not say: the exit status is lost.
        }

        return -1;
    }
}
