using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Gateway.Specs;

/// <summary>
/// Checks routes as YARP will compile them (ASP.NET Core's route patterns and host matching), and
/// that no two services claim the same requests, which routing would answer with a 500 for every one.
/// </summary>
internal static partial class RouteValidator
{
    /// <summary>The path YARP matches when a route names only hosts.</summary>
    public const string CatchAll = "/{**catch-all}";

    /// <summary>The error in <paramref name="pattern"/>, or null when YARP can compile it.</summary>
    public static FieldError? ValidatePath(string pattern, string path)
    {
        if (!pattern.StartsWith('/'))
        {
            return FieldError.Invalid(path, pattern, "must start with '/', e.g. \"/api/{**rest}\"");
        }

        try
        {
            RoutePatternFactory.Parse(pattern);
            return null;
        }
        catch (RoutePatternException e)
        {
            return FieldError.Invalid(path, pattern, $"not a valid route pattern: {e.Message}");
        }
    }

    /// <summary>
    /// The problems with a host as ASP.NET Core matches it: a DNS name, an IP address, or a wildcard
    /// (<c>*</c>, <c>*.example.com</c>), with an optional <c>:port</c>.
    /// </summary>
    public static List<string> HostProblems(string host)
    {
        var colon = host.StartsWith('[') ? host.IndexOf("]:", StringComparison.Ordinal) + 1 : host.LastIndexOf(':');
        var name = colon > 0 ? host[..colon] : host;
        if (colon > 0)
        {
            var port = host[(colon + 1)..];
            if (port != "*" && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535))
            {
                return [$"the port after ':' must be between 1 and 65535, inclusive, or '*'"];
            }
        }

        if (name == "*" || HostNameRegex().IsMatch(name) || (name.StartsWith('[') && name.EndsWith(']') && System.Net.IPAddress.TryParse(name[1..^1], out _)))
        {
            return [];
        }

        return ["must be a host name (e.g. 'example.com'), a wildcard ('*.example.com' or '*'), or an IP address, optionally followed by ':port'"];
    }

    /// <summary>
    /// A key equal for two patterns that match the same requests: parameter names are ignored
    /// (<c>/{**a}</c> is <c>/{**b}</c>), literals compared as routing does, without case, and a
    /// constraint kept, since routing prefers the constrained route.
    /// </summary>
    public static string Shape(string? pattern)
    {
        var parsed = RoutePatternFactory.Parse(pattern ?? CatchAll);
        var shape = new StringBuilder();
        foreach (var segment in parsed.PathSegments)
        {
            shape.Append('/');
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        shape.Append(literal.Content.ToUpperInvariant());
                        break;
                    case RoutePatternSeparatorPart separator:
                        shape.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter:
                        // Optional or not, both match a request that gives the segment: routing finds them ambiguous.
                        shape.Append('{').Append(parameter.IsCatchAll ? "**" : "");
                        foreach (var constraint in parameter.ParameterPolicies)
                        {
                            shape.Append(':').Append(constraint.Content);
                        }

                        shape.Append('}');
                        break;
                }
            }
        }

        return shape.ToString();
    }

    /// <summary>
    /// One error per service whose route another service listed before it already claims: the same
    /// path shape on a common host (a route without hosts takes every host).
    /// </summary>
    public static IEnumerable<FieldError> Conflicts(IEnumerable<(string Service, RouteSpec Route)> routes)
    {
        var seen = new List<(string Service, RouteSpec Route, string Shape)>();
        foreach (var (service, route) in routes)
        {
            var shape = Shape(route.Path);
            foreach (var (other, otherRoute, otherShape) in seen)
            {
                if (otherShape == shape && HostsOverlap(otherRoute.Hosts, route.Hosts))
                {
                    var hosts = route.Hosts.Count == 0 || otherRoute.Hosts.Count == 0
                        ? "every host"
                        : string.Join(", ", route.Hosts.Intersect(otherRoute.Hosts, StringComparer.OrdinalIgnoreCase));
                    yield return new FieldError(
                        $"Gateway:Services:{service}:Route",
                        FieldError.DuplicateType,
                        GoSyntax.Quote(route.Path ?? CatchAll),
                        $"service {GoSyntax.Quote(other)} routes the same path ({GoSyntax.Quote(otherRoute.Path ?? CatchAll)}) on {hosts}; give one of them another Route:Path or different Route:Hosts");
                    break;
                }
            }

            seen.Add((service, route, shape));
        }
    }

    private static bool HostsOverlap(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == 0 || b.Count == 0 || a.Intersect(b, StringComparer.OrdinalIgnoreCase).Any();

    [GeneratedRegex(@"^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*\z")]
    private static partial Regex HostNameRegex();
}
