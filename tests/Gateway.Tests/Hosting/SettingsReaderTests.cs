using Gateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Hosting;

public sealed class SettingsReaderTests : IDisposable
{
    public const string Valid = """
        { "Logging": { "LogLevel": { "Default": "Warning" } },
          "Gateway": { "Services": { "web": { "Replicas": 2, "Template": { "spec": { "containers": [ { "name": "web", "command": [ "x" ] } ] } } } } } }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-settings-").FullName;

    private string SettingsPath => Path.Combine(_dir, "appsettings.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SettingsRead Read(string text, params string[] commandLine)
    {
        File.WriteAllText(SettingsPath, text);
        return new SettingsReader(SettingsPath, commandLine).Read();
    }

    [Fact]
    public void Read_ValidFile_GivesTheSpecAndTheConfigurationItCameFrom()
    {
        var read = Read(Valid);

        Assert.Empty(read.Errors);
        Assert.Equal(2, read.Spec!.Services.Single().Pods!.Replicas);
        Assert.Equal("Warning", read.Configuration!["Logging:LogLevel:Default"]);
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore", null, "Warning")]
    [InlineData("Yarp", null, "Warning")]
    [InlineData("System.Net.Http", null, "Warning")]
    [InlineData("Microsoft.AspNetCore", "Information", "Information")]
    [InlineData("Yarp", "Debug", "Debug")]
    public void Read_FrameworkLogCategories_WarningUnlessTheFileNamesThem(string category, string? inFile, string expected)
    {
        var logging = inFile is null ? "" : $$"""
            "Logging": { "LogLevel": { "{{category}}": "{{inFile}}" } },
            """;
        var read = Read($$"""{ {{logging}} "Gateway": { "Services": { "web": { "Template": { "spec": { "containers": [ { "name": "web", "command": [ "x" ] } ] } } } } } }""");

        Assert.Empty(read.Errors);
        Assert.Equal(expected, read.Configuration![$"Logging:LogLevel:{category}"]);
    }

    /// <summary>
    /// ASP.NET Core's request logger is off unless the file names it or asks for its lines (a level
    /// below Warning for a category above it, for any logger): while it is on at any level, hosting
    /// starts an Activity per request. Read through a real logger factory, as the host binds the section.
    /// </summary>
    [Theory]
    [InlineData(null, null)]
    [InlineData("\"LogLevel\": { \"Microsoft.AspNetCore\": \"Warning\" }", null)]
    [InlineData("\"LogLevel\": { \"Default\": \"Trace\" }", null)]
    [InlineData("\"LogLevel\": { \"Microsoft.AspNetCore.Routing\": \"Debug\" }", null)]
    [InlineData("\"LogLevel\": { \"Microsoft.AspNetCore.Hosting.Diagnostics\": \"Error\" }", LogLevel.Error)]
    [InlineData("\"LogLevel\": { \"Microsoft.AspNetCore\": \"Information\" }", LogLevel.Information)]
    [InlineData("\"LogLevel\": { \"Microsoft.AspNetCore.Hosting\": \"Debug\" }", LogLevel.Debug)]
    [InlineData("\"LogLevel\": { \"Microsoft.AspNetCore.*\": \"Information\" }", LogLevel.Information)]
    [InlineData("\"Console\": { \"LogLevel\": { \"Microsoft\": \"Information\" } }", LogLevel.Information)]
    public void Read_RequestLogger_OffUnlessTheFileAsksForItsLines(string? logging, LogLevel? expected)
    {
        var section = logging is null ? "" : $$"""
            "Logging": { {{logging}} },
            """;
        var read = Read($$"""{ {{section}} "Gateway": { "Services": { "web": { "Template": { "spec": { "containers": [ { "name": "web", "command": [ "x" ] } ] } } } } } }""");
        Assert.Empty(read.Errors);
        using var factory = LoggerFactory.Create(b => b.AddConfiguration(read.Configuration!.GetSection("Logging")).AddConsole());

        var requests = factory.CreateLogger(LoggingSettings.RequestLogCategory);
        var routing = factory.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware");

        var lowest = Enum.GetValues<LogLevel>().Where(l => l != LogLevel.None && requests.IsEnabled(l)).Cast<LogLevel?>().FirstOrDefault();
        Assert.Equal(expected, lowest);
        Assert.True(routing.IsEnabled(LogLevel.Warning), "the other ASP.NET Core categories keep their warnings");
    }

    [Fact]
    public void Read_CommandLine_OverridesTheFile()
    {
        var read = Read(Valid, "--Gateway:Services:web:Replicas=5");

        Assert.Equal(5, read.Spec!.Services.Single().Pods!.Replicas);
    }

    [Theory]
    [InlineData("{ \"Gateway\": { \"Services\": {\n", "line 2, position 1: Expected depth to be zero at the end of the JSON payload.")]
    [InlineData("{ \"Gateway\": {\n  \"Proxy\": [ }\n}", "line 2, position 14: ")]
    [InlineData("", "line 1, position 1: ")]
    [InlineData("{ \"a\": 1 } x", "line 1, position 12: ")]
    public void Read_JsonSyntaxError_OneLineNamingTheFileLineAndPosition(string text, string expected)
    {
        var read = Read(text);

        Assert.Null(read.Spec);
        var error = Assert.Single(read.Errors);
        Assert.StartsWith($"cannot read {SettingsPath}: {expected}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', read.Summary);
    }

    [Fact]
    public void Read_DuplicateKey_NamesTheKey()
    {
        var read = Read("""{ "Gateway": { "MaxPods": 1, "MaxPods": 2 } }""");

        Assert.Contains("Gateway:MaxPods", Assert.Single(read.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysNotFoundAndHowToPointAtOne()
    {
        var read = new SettingsReader(Path.Combine(_dir, "nope.json"), []).Read();

        Assert.StartsWith($"gateway: settings file not found: {Path.Combine(_dir, "nope.json")}; pass --config FILE", read.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FileLargerThanTheBound_RefusedWithoutReadingItAll()
    {
        var read = new SettingsReader("/dev/zero", []).Read();

        Assert.Equal($"cannot read /dev/zero: larger than {SettingsReader.MaxFileBytes} bytes; a settings file is a small JSON document", Assert.Single(read.Errors));
    }

    [Theory]
    [InlineData("\"SlowStartSeconds\": 1e20,")]
    [InlineData("\"Replicas\": 99999999999,")]
    public void Read_ValueBeyondWhatTheGatewayCanHold_IsAnErrorNotAnException(string member)
    {
        var read = Read($$"""{ "Gateway": { "Services": { "web": { {{member}} "Template": { "spec": { "containers": [ { "name": "web", "command": [ "x" ] } ] } } } } } }""");

        Assert.Null(read.Spec);
        Assert.NotEmpty(read.Errors);
        Assert.StartsWith($"gateway: the configuration in {SettingsPath} is not valid", read.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"LogLevel\": { \"Default\": \"Loud\" } }", "Logging:LogLevel:Default: Unsupported value: \"Loud\": supported values: \"Trace\", \"Debug\", \"Information\", \"Warning\", \"Error\", \"Critical\", \"None\"")]
    [InlineData("{ \"Console\": { \"LogLevel\": { \"Gateway\": \"99\" } } }", "Logging:Console:LogLevel:Gateway: Unsupported value: \"99\"")]
    [InlineData("{ \"Console\": { \"LogToStandardErrorThreshold\": \"nope\" } }", "Logging:Console:LogToStandardErrorThreshold: Unsupported value: \"nope\"")]
    [InlineData("{ \"Console\": { \"FormatterOptions\": { \"IncludeScopes\": \"maybe\" } } }", "Logging:Console: Invalid value: ")]
    public void Read_BadLoggingValue_AFieldErrorNotAFailingLoggerFactory(string logging, string expected)
    {
        var read = Read(SettingsReaderTests.Valid.Replace("{ \"LogLevel\": { \"Default\": \"Warning\" } }", logging, StringComparison.Ordinal));

        Assert.StartsWith(expected, Assert.Single(read.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LogLevelsByNameOrNumberInAnyCase_Valid()
    {
        var read = Read(SettingsReaderTests.Valid.Replace("\"Default\": \"Warning\"", "\"Default\": \"warning\", \"Gateway\": \"2\"", StringComparison.Ordinal));

        Assert.Empty(read.Errors);
    }
}
