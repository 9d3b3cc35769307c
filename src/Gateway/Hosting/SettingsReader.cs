using System.Text.Json;
using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>
/// The one way the settings are read, at start and on every reload: the gateway's logging defaults
/// (<see cref="LoggingSettings.DefaultsFor"/>), then the settings file (read once, at most
/// <see cref="MaxFileBytes"/>), then environment variables, then the command line, validated
/// whole by <see cref="GatewaySpecLoader"/> and <see cref="LoggingSettings"/>. It never throws: a file that cannot be read or parsed is
/// one error naming the file, line and position.
/// </summary>
internal sealed class SettingsReader(string settingsPath, IReadOnlyList<string> commandLine)
{
    /// <summary>A settings file larger than this is refused (a device or a wrong file, not a configuration).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>What System.Text.Json appends to its messages; the line and position are given first instead, counted from 1.</summary>
    private static readonly string[] JsonMessageSuffixes = [" Path: ", " LineNumber: "];

    public string SettingsPath => settingsPath;

    public SettingsRead Read()
    {
        byte[] bytes;
        try
        {
            bytes = ReadBounded(settingsPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return SettingsRead.Unreadable($"settings file not found: {settingsPath}; pass --config FILE or run from the folder that holds config/appsettings.json");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return SettingsRead.Unreadable($"cannot read {settingsPath}: {e.Message}");
        }

        IConfigurationRoot configuration;
        try
        {
            var user = new ConfigurationBuilder()
                .AddJsonStream(new MemoryStream(bytes))
                .AddEnvironmentVariables()
                .AddCommandLine([.. commandLine])
                .Build();
            configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(LoggingSettings.DefaultsFor(user))
                .AddConfiguration(user, shouldDisposeConfiguration: true)
                .Build();
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidDataException)
        {
            return SettingsRead.Unreadable($"cannot read {settingsPath}: {DescribeSyntaxError(e)}");
        }

        try
        {
            var spec = GatewaySpecLoader.Load(configuration, Path.GetDirectoryName(settingsPath)!, out var specErrors);
            IReadOnlyList<string> errors = [.. specErrors, .. LoggingSettings.Validate(configuration)];
            return errors.Count > 0 ? SettingsRead.Invalid(settingsPath, errors) : SettingsRead.Valid(spec, configuration);
        }
        catch (Exception e)
        {
            // The loader collects every error a user can make; an exception is a value it does not check yet.
            return SettingsRead.Invalid(settingsPath, [$"{settingsPath}: cannot be validated: {GatewayHost.Describe(e)}"]);
        }
    }

    /// <summary>The JSON reader's complaint with its line and position counted from 1, as editors count them.</summary>
    internal static string DescribeSyntaxError(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException { LineNumber: { } line } json)
            {
                var reason = json.Message;
                foreach (var suffix in JsonMessageSuffixes)
                {
                    if (reason.IndexOf(suffix, StringComparison.Ordinal) is var at and > 0)
                    {
                        reason = reason[..at];
                    }
                }

                return $"line {line + 1}, position {(json.BytePositionInLine ?? 0) + 1}: {reason}";
            }
        }

        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message;
    }

    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var buffer = new byte[MaxFileBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        if (length > MaxFileBytes)
        {
            throw new IOException($"larger than {MaxFileBytes} bytes; a settings file is a small JSON document");
        }

        return buffer[..length];
    }
}
