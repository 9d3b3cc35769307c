using System.CommandLine;
using System.Globalization;

namespace DemoBackend;

/// <summary>The command line of the demo backend, and its environment variables PORT and POD_NAME.</summary>
internal static class BackendCommandLine
{
    /// <summary>The exit code for a command line or environment the backend cannot run with.</summary>
    public const int UsageError = 2;

    private static readonly Option<double?> HealthyFor = Seconds("--healthy-for", "/healthz answers 500 after this many seconds.");
    private static readonly Option<double?> ReadyAfter = Seconds("--ready-after", "/readyz answers 503 until this many seconds have passed.");
    private static readonly Option<int?> GrpcPort = PortOption("--grpc-port", "Also serve grpc.health.v1.Health and demo.Demo (Hello, Count) over plaintext HTTP/2 on 127.0.0.1:N.");
    private static readonly Option<double?> ShutdownDelay = Seconds("--shutdown-delay", "On SIGTERM, wait this many seconds after in-flight requests finish, then exit.");
    private static readonly Option<int> ExitCode = new("--exit-code") { HelpName = "N", Description = "The exit code on SIGTERM and on --crash-after." };
    private static readonly Option<int?> Port = PortOption("--port", $"Serve HTTP/1.1 on 127.0.0.1:N (overrides $PORT; default {BackendOptions.DefaultPort}).");
    private static readonly Option<double?> CrashAfter = Seconds("--crash-after", "Exit at once with --exit-code after this many seconds.");

    private static readonly RootCommand Command = new("An agnhost-like backend for the gateway's demo and tests. Environment: PORT, POD_NAME.")
    {
        HealthyFor, ReadyAfter, GrpcPort, ShutdownDelay, ExitCode, Port, CrashAfter,
    };

    /// <summary>
    /// Reads the options from <paramref name="args"/> and <paramref name="environment"/>. Returns <see langword="null"/> when the
    /// process should stop here with <paramref name="exitCode"/>: after printing help, or after naming what is wrong on stderr.
    /// </summary>
    public static BackendOptions? Parse(string[] args, Func<string, string?> environment, out int exitCode)
    {
        var result = Command.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"demo-backend: {error.Message} See --help.");
            }

            exitCode = UsageError;
            return null;
        }

        if (result.Action is not null)
        {
            exitCode = result.Invoke();
            return null;
        }

        var port = result.GetValue(Port) ?? PortFromEnvironment(environment("PORT"));
        if (port is null)
        {
            Console.Error.WriteLine($"demo-backend: PORT='{environment("PORT")}' is not a port number; set PORT to 1-65535 or pass --port.");
            exitCode = UsageError;
            return null;
        }

        exitCode = 0;
        return new BackendOptions
        {
            Port = port.Value,
            PodName = environment("POD_NAME") is { Length: > 0 } podName ? podName : Environment.MachineName,
            HealthyFor = ToTimeSpan(result.GetValue(HealthyFor)),
            ReadyAfter = ToTimeSpan(result.GetValue(ReadyAfter)) ?? TimeSpan.Zero,
            GrpcPort = result.GetValue(GrpcPort),
            ShutdownDelay = ToTimeSpan(result.GetValue(ShutdownDelay)) ?? TimeSpan.Zero,
            ExitCode = result.GetValue(ExitCode),
            CrashAfter = ToTimeSpan(result.GetValue(CrashAfter)),
        };
    }

    private static int? PortFromEnvironment(string? value) =>
        string.IsNullOrEmpty(value) ? BackendOptions.DefaultPort
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && IsPort(port) ? port
        : null;

    private static TimeSpan? ToTimeSpan(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    private static bool IsPort(int port) => port is > 0 and <= 65535;

    private static Option<double?> Seconds(string name, string description)
    {
        var option = new Option<double?>(name) { Description = description, HelpName = "SECONDS" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } seconds && (seconds < 0 || !double.IsFinite(seconds)))
            {
                result.AddError($"{name} must be a number of seconds, 0 or more.");
            }
        });
        return option;
    }

    private static Option<int?> PortOption(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } port && !IsPort(port))
            {
                result.AddError($"{name} must be a port number, 1-65535.");
            }
        });
        return option;
    }
}
