using Gateway.Runtimes;
using Microsoft.Extensions.Primitives;

namespace Gateway.Admin;

/// <summary>
/// The query of <c>pods/{name}/exec</c> (<c>PodExecOptions</c>: <c>command</c> repeated, <c>container</c>,
/// <c>stdin</c>, <c>stdout</c>, <c>stderr</c>, <c>tty</c>) checked as the API server and the kubelet
/// check it, with their words for what is wrong. A plain function over plain values.
/// </summary>
internal sealed record PodExecRequest(string Container, ExecSpec Spec, bool Stdout, bool Stderr)
{
    /// <summary>
    /// The request for a pod with <paramref name="containers"/> (its app containers) and
    /// <paramref name="initContainers"/>, or the reason it is refused (a 400 <c>BadRequest</c>).
    /// </summary>
    public static PodExecRequest? Parse(Func<string, StringValues> query, string pod, IReadOnlyList<string> containers, IReadOnlyList<string> initContainers, out string? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(initContainers);
        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in new[] { "stdin", "stdout", "stderr", "tty" })
        {
            var value = query(name).LastOrDefault();
            if (value is null)
            {
                flags[name] = false;
            }
            else if (ParseBool(value) is { } flag)
            {
                flags[name] = flag;
            }
            else
            {
                error = $"{name}: Invalid value: \"{value}\": must be true or false";
                return null;
            }
        }

        string[] command = [.. query("command").Where(c => c is not null).Select(c => c!)];
        if (command.Length == 0)
        {
            error = "you must specify at least one command for the container";
            return null;
        }

        // The kubelet drops stderr under a terminal: a terminal has one output.
        var stderr = flags["stderr"] && !flags["tty"];
        if (!flags["stdin"] && !flags["stdout"] && !stderr)
        {
            error = "you must specify at least 1 of stdin, stdout, stderr";
            return null;
        }

        if (ChooseContainer(pod, containers, initContainers, query("container").LastOrDefault(), out error) is not { } container)
        {
            return null;
        }

        error = null;
        return new PodExecRequest(container, new ExecSpec(command, flags["stdin"], flags["tty"]), flags["stdout"], stderr);
    }

    /// <summary>
    /// The container a pod subresource (exec, log) is for, as the API server's <c>streamLocation</c>
    /// picks it: the one named (an app or an init container), or with none named the pod's only app
    /// container; null with the reason (a 400 <c>BadRequest</c>) otherwise.
    /// </summary>
    public static string? ChooseContainer(string pod, IReadOnlyList<string> containers, IReadOnlyList<string> initContainers, string? container, out string? error)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(initContainers);
        error = null;
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count == 1)
            {
                return containers[0];
            }

            error = $"a container name must be specified for pod {pod}, choose one of: [{string.Join(' ', containers)}]"
                + (initContainers.Count > 0 ? $" or one of the init containers: [{string.Join(' ', initContainers)}]" : "");
            return null;
        }

        if (!containers.Contains(container) && !initContainers.Contains(container))
        {
            error = $"container {container} is not valid for pod {pod}";
            return null;
        }

        return container;
    }

    /// <summary>Go's <c>strconv.ParseBool</c>, which the API server's query decoding uses.</summary>
    private static bool? ParseBool(string value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => null,
    };
}
