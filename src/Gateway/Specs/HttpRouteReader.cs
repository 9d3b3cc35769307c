using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Specs;

/// <summary>
/// Reads HTTPRoute rules (<c>gateway.networking.k8s.io/v1</c>) from a <see cref="RouteTree"/>: matches,
/// filters and backendRefs. A field this gateway does not implement is refused by name with its
/// path; a field set to its default value is accepted. <paramref name="self"/> is the service a
/// rule without backendRefs sends to (a service's own route); null where backendRefs are required.
/// </summary>
internal sealed partial class HttpRouteReader(List<FieldError> errors, string? self)
{
    /// <summary>The most rules, matches per rule, and header or query matches per match, as the Gateway API's CRD allows.</summary>
    public const int MaxRules = 16, MaxMatches = 64, MaxValueMatches = 16;

    private static readonly string[] RuleFields = ["name", "matches", "filters", "backendRefs"];
    private static readonly string[] MatchFields = ["path", "headers", "queryParams", "method"];
    private static readonly string[] PathFields = ["type", "value"];
    private static readonly string[] ValueFields = ["type", "name", "value"];
    private static readonly string[] FilterFields = ["type", "requestHeaderModifier", "responseHeaderModifier", "requestRedirect", "urlRewrite", "requestMirror"];
    private static readonly string[] FilterTypes = ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror"];
    private static readonly string[] ModifierFields = ["set", "add", "remove"];
    private static readonly string[] HeaderFields = ["name", "value"];
    private static readonly string[] RedirectFields = ["scheme", "hostname", "path", "port", "statusCode"];
    private static readonly string[] RewriteFields = ["hostname", "path"];
    private static readonly string[] PathModifierFields = ["type", "replaceFullPath", "replacePrefixMatch"];
    private static readonly string[] MirrorFields = ["backendRef"];
    private static readonly string[] BackendFields = ["name", "port", "weight", "kind", "group", "namespace"];
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

    public List<FieldError> Errors => errors;

    /// <summary>The rules of <c>spec.rules</c> (or of one settings rule); at least one, the Gateway API's default being one that matches everything.</summary>
    public List<HttpRouteRule> Rules(RouteTree rules)
    {
        var list = new List<HttpRouteRule>();
        if (!ListOf(rules, MaxRules))
        {
            return list;
        }

        foreach (var rule in rules.Items)
        {
            if (Rule(rule) is { } read)
            {
                list.Add(read);
            }
        }

        if (rules.IsMissing && self is not null)
        {
            list.Add(new HttpRouteRule([HttpRouteMatch.Everything], RouteFilters.None, [new BackendRef(self)]));
        }

        return list;
    }

    /// <summary>One rule: its matches (none: every request), filters and backends.</summary>
    public HttpRouteRule? Rule(RouteTree rule)
    {
        return Object(rule, RuleFields) ? RuleBody(rule) : null;
    }

    /// <summary>A rule's matches, filters and backendRefs, other fields left to the caller.</summary>
    public HttpRouteRule? RuleBody(RouteTree rule)
    {
        var before = errors.Count;
        var matches = Matches(rule["matches"]);
        var filters = Filters(rule["filters"], matches);
        var backends = Backends(rule["backendRefs"], filters.Redirect is not null);
        return errors.Count == before ? new HttpRouteRule(matches, filters, backends) : null;
    }

    public List<HttpRouteMatch> Matches(RouteTree matches)
    {
        var list = new List<HttpRouteMatch>();
        if (matches.IsMissing || !ListOf(matches, MaxMatches))
        {
            return [HttpRouteMatch.Everything];
        }

        foreach (var match in matches.Items)
        {
            if (!Object(match, MatchFields))
            {
                continue;
            }

            var path = Path(match["path"]);
            var headers = Values(match["headers"], isHeader: true);
            var query = Values(match["queryParams"], isHeader: false);
            var method = match["method"];
            string? methodText = null;
            if (Scalar(method) is { Length: > 0 } m)
            {
                if (Methods.Contains(m, StringComparer.Ordinal))
                {
                    methodText = m;
                }
                else
                {
                    errors.Add(FieldError.NotSupported(method.Path, m, Methods));
                }
            }

            list.Add(new HttpRouteMatch(path, headers, query, methodText));
        }

        return list.Count == 0 ? [HttpRouteMatch.Everything] : list;
    }

    private PathMatch Path(RouteTree path)
    {
        if (path.IsMissing || !Object(path, PathFields))
        {
            return PathMatch.Root;
        }

        var type = path["type"];
        var kind = Scalar(type) is { Length: > 0 } t ? Enum<PathMatchKind>(type, t) : PathMatchKind.PathPrefix;
        var valueField = path["value"];
        var value = Scalar(valueField) ?? "/";
        if (kind is PathMatchKind.RegularExpression)
        {
            Regex(valueField, value);
            return new PathMatch(kind, value);
        }

        if (PathProblem(value) is { } problem)
        {
            errors.Add(FieldError.Invalid(valueField.Path, value, problem));
            return PathMatch.Root;
        }

        return new PathMatch(kind, kind is PathMatchKind.PathPrefix && value.Length > 1 ? value.TrimEnd('/') : value);
    }

    /// <summary>What the Gateway API's validation refuses in a literal path, and what the gateway's route patterns cannot hold.</summary>
    public static string? PathProblem(string value)
    {
        if (!value.StartsWith('/'))
        {
            return "must be an absolute path starting with '/'";
        }

        foreach (var bad in new[] { "//", "/./", "/../", "%2f", "%2F", "#", "?" })
        {
            if (value.Contains(bad, StringComparison.Ordinal))
            {
                return $"must not contain {GoSyntax.Quote(bad)}";
            }
        }

        return value.EndsWith("/..", StringComparison.Ordinal) || value.EndsWith("/.", StringComparison.Ordinal)
            ? "must not end with '/.' or '/..'"
            : null;
    }

    private List<ValueMatch> Values(RouteTree list, bool isHeader)
    {
        var values = new List<ValueMatch>();
        if (!ListOf(list, MaxValueMatches))
        {
            return values;
        }

        var names = new HashSet<string>(isHeader ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            if (!Object(item, ValueFields))
            {
                continue;
            }

            var type = item["type"];
            var kind = Scalar(type) is { Length: > 0 } t ? Enum<ValueMatchKind>(type, t) : ValueMatchKind.Exact;
            var nameField = item["name"];
            var name = Scalar(nameField);
            var valueField = item["value"];
            var value = Scalar(valueField);
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(FieldError.Required(nameField.Path, isHeader ? "the header's name" : "the query parameter's name"));
                continue;
            }

            if (isHeader && !HeaderNameRegex().IsMatch(name))
            {
                errors.Add(FieldError.Invalid(nameField.Path, name, "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"));
                continue;
            }

            if (value is null)
            {
                errors.Add(FieldError.Required(valueField.Path, "the value to match"));
                continue;
            }

            if (!names.Add(name))
            {
                // The Gateway API takes the first of two matches on one name; a second is a mistake worth naming.
                errors.Add(FieldError.Duplicate(nameField.Path, name, "an earlier match names it already"));
                continue;
            }

            if (kind is ValueMatchKind.RegularExpression)
            {
                Regex(valueField, value);
            }

            values.Add(new ValueMatch(name, value, kind));
        }

        return values;
    }

    private RouteFilters Filters(RouteTree list, List<HttpRouteMatch> matches)
    {
        var filters = RouteFilters.None;
        if (!ListOf(list, 16))
        {
            return filters;
        }

        var mirrors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var filter in list.Items)
        {
            if (!Object(filter, FilterFields))
            {
                continue;
            }

            var typeField = filter["type"];
            var type = Scalar(typeField);
            if (string.IsNullOrEmpty(type))
            {
                errors.Add(FieldError.Required(typeField.Path, $"one of {string.Join(", ", FilterTypes)}"));
                continue;
            }

            if (!FilterTypes.Contains(type, StringComparer.Ordinal))
            {
                errors.Add(FieldError.NotSupported(typeField.Path, type, FilterTypes));
                continue;
            }

            if (type != "RequestMirror" && !seen.Add(type))
            {
                errors.Add(FieldError.Duplicate(typeField.Path, type, "a rule takes each filter kind once (RequestMirror excepted)"));
                continue;
            }

            var field = char.ToLowerInvariant(type[0]) + type[1..];
            if (type == "URLRewrite")
            {
                field = "urlRewrite";
            }

            foreach (var other in FilterFields.Where(f => f != "type" && f != field && !filter[f].IsMissing))
            {
                errors.Add(FieldError.Invalid(filter[other].Path, "", $"a filter of type {type} takes {field}, not {other}"));
            }

            var body = filter[field];
            if (body.IsMissing)
            {
                errors.Add(FieldError.Required(body.Path, $"the {type} filter's settings"));
                continue;
            }

            switch (type)
            {
                case "RequestHeaderModifier":
                    filters = filters with { RequestHeaders = Modifier(body) };
                    break;
                case "ResponseHeaderModifier":
                    filters = filters with { ResponseHeaders = Modifier(body) };
                    break;
                case "URLRewrite":
                    filters = filters with { Rewrite = Rewrite(body, matches) };
                    break;
                case "RequestRedirect":
                    filters = filters with { Redirect = Redirect(body, matches) };
                    break;
                case "RequestMirror":
                    if (Object(body, MirrorFields) && Backend(body["backendRef"], weighted: false) is { } mirror)
                    {
                        mirrors.Add(mirror.Service);
                    }

                    break;
            }
        }

        if (filters.Redirect is not null && filters.Rewrite is not null)
        {
            errors.Add(FieldError.Invalid(list.Path, "", "RequestRedirect and URLRewrite cannot both be set on one rule"));
        }

        return filters with { Mirrors = mirrors };
    }

    private HeaderModifier? Modifier(RouteTree modifier)
    {
        if (!Object(modifier, ModifierFields))
        {
            return null;
        }

        List<KeyValuePair<string, string>> Pairs(RouteTree list)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (!ListOf(list, 16))
            {
                return pairs;
            }

            foreach (var item in list.Items)
            {
                if (!Object(item, HeaderFields))
                {
                    continue;
                }

                var name = item["name"];
                if (Scalar(name) is not { Length: > 0 } n || !HeaderNameRegex().IsMatch(n))
                {
                    errors.Add(name.Text is null ? FieldError.Required(name.Path, "the header's name") : FieldError.Invalid(name.Path, name.Text, "must be an HTTP header name"));
                    continue;
                }

                pairs.Add(new(n, Scalar(item["value"]) ?? ""));
            }

            return pairs;
        }

        var remove = new List<string>();
        var removeField = modifier["remove"];
        if (ListOf(removeField, 16))
        {
            foreach (var item in removeField.Items)
            {
                if (Scalar(item) is { Length: > 0 } name)
                {
                    remove.Add(name);
                }
            }
        }

        return new HeaderModifier(Pairs(modifier["set"]), Pairs(modifier["add"]), remove);
    }

    private UrlRewrite? Rewrite(RouteTree rewrite, List<HttpRouteMatch> matches)
    {
        if (!Object(rewrite, RewriteFields))
        {
            return null;
        }

        return new UrlRewrite(Hostname(rewrite["hostname"]), PathModifier(rewrite["path"], matches));
    }

    private RequestRedirect? Redirect(RouteTree redirect, List<HttpRouteMatch> matches)
    {
        if (!Object(redirect, RedirectFields))
        {
            return null;
        }

        var schemeField = redirect["scheme"];
        var scheme = Scalar(schemeField);
        if (scheme is not null and not ("http" or "https"))
        {
            errors.Add(FieldError.NotSupported(schemeField.Path, scheme, ["http", "https"]));
        }

        var port = Integer(redirect["port"], 1, 65535);
        var statusField = redirect["statusCode"];
        var status = Integer(statusField, 100, 599) ?? 302;
        if (status is not (301 or 302))
        {
            errors.Add(FieldError.NotSupported(statusField.Path, status, ["301", "302"]));
        }

        return new RequestRedirect(scheme, Hostname(redirect["hostname"]), (int?)port, PathModifier(redirect["path"], matches), (int)status);
    }

    private string? Hostname(RouteTree field)
    {
        if (Scalar(field) is not { Length: > 0 } host)
        {
            return null;
        }

        if (host.Contains('*', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal) || RouteValidator.HostProblems(host).Count > 0)
        {
            errors.Add(FieldError.Invalid(field.Path, host, "must be a host name without a port or wildcard, e.g. \"example.com\""));
            return null;
        }

        return host;
    }

    private PathModifier? PathModifier(RouteTree path, List<HttpRouteMatch> matches)
    {
        if (path.IsMissing || !Object(path, PathModifierFields))
        {
            return null;
        }

        var typeField = path["type"];
        var type = Scalar(typeField);
        string[] types = ["ReplaceFullPath", "ReplacePrefixMatch"];
        if (type is null || !types.Contains(type, StringComparer.Ordinal))
        {
            errors.Add(type is null ? FieldError.Required(typeField.Path, "ReplaceFullPath or ReplacePrefixMatch") : FieldError.NotSupported(typeField.Path, type, types));
            return null;
        }

        var full = type == "ReplaceFullPath";
        var valueField = path[full ? "replaceFullPath" : "replacePrefixMatch"];
        var otherField = path[full ? "replacePrefixMatch" : "replaceFullPath"];
        if (!otherField.IsMissing)
        {
            errors.Add(FieldError.Invalid(otherField.Path, otherField.Text ?? "", $"a path of type {type} takes {valueField.Path[(valueField.Path.LastIndexOfAny(['.', ':']) + 1)..]}"));
        }

        var value = Scalar(valueField) ?? "/";
        if (PathProblem(value) is { } problem)
        {
            errors.Add(FieldError.Invalid(valueField.Path, value, problem));
            return null;
        }

        if (!full && matches.Any(m => m.Path.Kind != PathMatchKind.PathPrefix))
        {
            errors.Add(FieldError.Invalid(typeField.Path, type, "ReplacePrefixMatch needs every match of the rule to be a PathPrefix match"));
            return null;
        }

        return new PathModifier(full, value);
    }

    private List<BackendRef> Backends(RouteTree list, bool redirects)
    {
        var backends = new List<BackendRef>();
        if (list.IsMissing)
        {
            if (redirects)
            {
                // A redirect is answered by the gateway: the rule sends nowhere.
            }
            else if (self is null)
            {
                errors.Add(FieldError.Required(list.Path, "the services the rule sends to, e.g. [{ name: web, weight: 90 }, { name: web-canary, weight: 10 }]"));
            }
            else
            {
                backends.Add(new BackendRef(self));
            }

            return backends;
        }

        if (!ListOf(list, 16))
        {
            return backends;
        }

        foreach (var item in list.Items)
        {
            if (Backend(item, weighted: true) is { } backend)
            {
                backends.Add(backend);
            }
        }

        if (backends.Count == 0 && list.Items.Any() is false)
        {
            errors.Add(FieldError.Required(list.Path, "at least one service"));
        }

        return backends;
    }

    private BackendRef? Backend(RouteTree backend, bool weighted)
    {
        if (!Object(backend, weighted ? BackendFields : BackendFields.Where(f => f != "weight").ToArray()))
        {
            return null;
        }

        var before = errors.Count;
        var nameField = backend["name"];
        var name = Scalar(nameField);
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required(nameField.Path, "the name of one of the gateway's services"));
        }

        Default(backend["kind"], "Service", "a backendRef names one of the gateway's services");
        Default(backend["group"], "", "a backendRef names one of the gateway's services (group \"\")");
        if (!backend["namespace"].IsMissing)
        {
            var ns = backend["namespace"];
            errors.Add(FieldError.Invalid(ns.Path, ns.Text ?? "", "not supported: a backendRef names one of the gateway's services, which have no namespace; remove it"));
        }

        Integer(backend["port"], 1, 65535);
        var weight = weighted ? (int)(Integer(backend["weight"], 0, 1_000_000) ?? 1) : 1;
        return errors.Count == before ? new BackendRef(name!, weight) : null;
    }

    private void Default(RouteTree field, string value, string why)
    {
        if (Scalar(field) is { } text && text != value)
        {
            errors.Add(FieldError.NotSupported(field.Path, text, [value.Length == 0 ? "\"\"" : value]));
            _ = why;
        }
    }

    private T Enum<T>(RouteTree field, string text)
        where T : struct, Enum
    {
        var names = System.Enum.GetNames<T>();
        if (names.FirstOrDefault(n => n == text) is { } known)
        {
            return System.Enum.Parse<T>(known);
        }

        errors.Add(FieldError.NotSupported(field.Path, text, names));
        return default;
    }

    private void Regex(RouteTree field, string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            errors.Add(FieldError.Invalid(field.Path, pattern, $"not a valid regular expression: {e.Message}"));
        }
    }

    private long? Integer(RouteTree field, long min, long max)
    {
        if (Scalar(field) is not { Length: > 0 } text)
        {
            return null;
        }

        return NumberField.Integer(field.Path, text, min, max, out var value) is { } error ? Fail(error) : value;

        long? Fail(FieldError e)
        {
            errors.Add(e);
            return null;
        }
    }

    private string? Scalar(RouteTree field)
    {
        if (field.IsObject || field.IsList)
        {
            errors.Add(FieldError.InvalidOmitValue(field.Path, SettingsSection.SingleValueDetail));
            return null;
        }

        return field.Text;
    }

    /// <summary>Whether <paramref name="tree"/> is an object (or missing); an object's unknown fields are errors naming them.</summary>
    public bool Object(RouteTree tree, string[] known)
    {
        if (tree.IsMissing)
        {
            return true;
        }

        if (!tree.IsObject)
        {
            errors.Add(FieldError.InvalidOmitValue(tree.Path, $"must be an object with the fields {string.Join(", ", known)}"));
            return false;
        }

        var ok = true;
        foreach (var key in tree.Keys)
        {
            if (!tree.Knows(known, key))
            {
                errors.Add(new FieldError(tree.PathOf(key), FieldError.InvalidType, GoSyntax.Quote(key),
                    FieldNames.UnknownDetail(key, known, $"not supported by this gateway; supported fields: {string.Join(", ", known)}")));
                ok = false;
            }
        }

        return ok;
    }

    private bool ListOf(RouteTree tree, int max)
    {
        if (tree.IsMissing)
        {
            return true;
        }

        if (!tree.IsList)
        {
            errors.Add(FieldError.InvalidOmitValue(tree.Path, "must be a list"));
            return false;
        }

        if (tree.Items.Count() > max)
        {
            errors.Add(FieldError.InvalidOmitValue(tree.Path, string.Create(CultureInfo.InvariantCulture, $"must have at most {max} items")));
            return false;
        }

        return true;
    }

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+\z")]
    private static partial Regex HeaderNameRegex();
}
