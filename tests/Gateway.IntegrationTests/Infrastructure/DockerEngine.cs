using System.Diagnostics;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// The Docker engine the Docker tests run against, through the docker CLI. Without one the tests skip
/// with a one-line reason, unless GATEWAY_REQUIRE_DOCKER=1 (CI), where they fail instead.
/// </summary>
internal static class DockerEngine
{
    private static readonly Lazy<string?> Missing = new(FindProblem);

    /// <summary>Skips the test (or fails it under GATEWAY_REQUIRE_DOCKER=1) when there is no engine with busybox:local.</summary>
    public static void RequireOrSkip()
    {
        if (Missing.Value is not { } problem)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("GATEWAY_REQUIRE_DOCKER") == "1")
        {
            Assert.Fail($"GATEWAY_REQUIRE_DOCKER=1 but {problem}");
        }

        Skip.If(true, $"{problem} (run tests/docker/setup.sh as root to get one)");
    }

    private static string? FindProblem()
    {
        try
        {
            var (code, output) = Run("version", "--format", "{{.Server.Version}}");
            if (code != 0)
            {
                return $"no Docker engine answers: {output.Trim()}";
            }

            return Run("image", "inspect", "busybox:local").ExitCode == 0 ? null : "the Docker engine has no busybox:local image";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "no docker CLI on PATH";
        }
    }

    /// <summary>Runs the docker CLI; returns its exit code and its stdout and stderr.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "docker " + string.Join(' ', args) + " timed out");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The ids of the containers (running or not) whose label <paramref name="label"/> is <paramref name="value"/>.</summary>
    public static IReadOnlyList<string> Containers(string label, string value) =>
        Run("ps", "-a", "-q", "--no-trunc", "--filter", $"label={label}={value}").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The Docker container id of a container status's <c>docker://</c> containerID.</summary>
    public static string IdOf(k8s.Models.V1ContainerStatus status)
    {
        var id = status.ContainerID ?? throw new InvalidOperationException($"container {status.Name} runs no instance");
        Assert.StartsWith("docker://", id, StringComparison.Ordinal);
        return id["docker://".Length..];
    }
}
