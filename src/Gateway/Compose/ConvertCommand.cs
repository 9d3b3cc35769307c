using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// <c>gateway convert FILE [--runtime Process|Docker] [--prefix NAME]</c>: prints the settings a
/// compose file stands for, a whole <c>{"Gateway":{"Services":{...}}}</c> to paste or save, checked
/// as the gateway would load it; exit 0. Errors go to stderr one per line, exit 2.
/// </summary>
internal static class ConvertCommand
{
    public const string Name = "convert";

    private const string Usage = "usage: gateway convert FILE [--runtime Process|Docker] [--prefix NAME]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? file = null;
        var runtime = RuntimeKind.Process;
        var prefix = "";
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--runtime" when i + 1 < args.Count:
                    var text = args[++i];
                    if (!Enum.TryParse(text, ignoreCase: true, out runtime) || text.All(char.IsAsciiDigit))
                    {
                        error.WriteLine($"gateway convert: --runtime: Unsupported value: {GoSyntax.Quote(text)}: supported values: \"Process\", \"Docker\"");
                        return Gateway.Hosting.GatewayHost.UserError;
                    }

                    break;
                case "--prefix" when i + 1 < args.Count:
                    prefix = args[++i];
                    break;
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return 0;
                case var arg when file is null && !arg.StartsWith('-'):
                    file = arg;
                    break;
                default:
                    error.WriteLine($"gateway convert: unexpected argument {GoSyntax.Quote(args[i])}; {Usage}");
                    return Gateway.Hosting.GatewayHost.UserError;
            }
        }

        if (file is null)
        {
            error.WriteLine(Usage);
            return Gateway.Hosting.GatewayHost.UserError;
        }

        var errors = new List<FieldError>();
        var full = Path.GetFullPath(file);
        var translation = ComposeFile.Translate(full, "", file, ComposeOptions.For(runtime, prefix), errors);
        if (translation is null)
        {
            errors.ForEach(e => error.WriteLine(e.ToString()));
            return Gateway.Hosting.GatewayHost.UserError;
        }

        var settings = new JsonObject { ["Gateway"] = new JsonObject { ["Services"] = ComposeServices.Settings(translation.Services) } };
        var json = settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

        // What the gateway would say of the settings printed, so that they load as they are.
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        GatewaySpecLoader.Load(configuration, Path.GetDirectoryName(full)!, out var loadErrors);
        if (loadErrors.Count > 0)
        {
            foreach (var line in loadErrors)
            {
                error.WriteLine(line);
            }

            return Gateway.Hosting.GatewayHost.UserError;
        }

        output.WriteLine(json);
        return 0;
    }
}
