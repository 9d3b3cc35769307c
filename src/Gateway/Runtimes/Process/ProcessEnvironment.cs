using System.Collections;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The environment a Process container and its exec probes and hooks run with. Like a container's,
/// it does not inherit the gateway's own (which may hold its secrets): only a small base taken from
/// the gateway, then the container's environment (the gateway's variables and the spec's <c>env</c>)
/// over it. <c>Gateway:Process:InheritEnvironment</c> asks for the gateway's whole environment instead.
/// </summary>
internal static class ProcessEnvironment
{
    /// <summary>
    /// What a program needs to run as it would from a login shell: <c>PATH</c> to find programs,
    /// <c>HOME</c>, <c>LANG</c> and <c>TZ</c> for its user's files, language and time zone, and
    /// <c>DOTNET_ROOT</c>, without which a .NET app started through its apphost cannot find a runtime
    /// installed outside the default folder.
    /// </summary>
    public static readonly IReadOnlyList<string> Base = ["PATH", "HOME", "LANG", "TZ", "DOTNET_ROOT"];

    /// <summary>A container runtime's <c>PATH</c> when the gateway has none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The container's environment over the base (or over all of <paramref name="gateway"/> when <paramref name="inherit"/>).</summary>
    public static Dictionary<string, string> For(IReadOnlyDictionary<string, string> container, IReadOnlyDictionary<string, string> gateway, bool inherit)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(gateway);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (inherit)
        {
            foreach (var (name, value) in gateway)
            {
                environment[name] = value;
            }
        }
        else
        {
            foreach (var name in Base)
            {
                if (gateway.TryGetValue(name, out var value))
                {
                    environment[name] = value;
                }
            }

            environment.TryAdd("PATH", DefaultPath);
        }

        foreach (var (name, value) in container)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>The gateway's own environment.</summary>
    public static Dictionary<string, string> OfThisProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            variables[(string)variable.Key] = (string?)variable.Value ?? "";
        }

        return variables;
    }
}
