namespace Gateway.Compose;

/// <summary>
/// An <c>env_file</c> (and <c>.env</c>) as compose reads it: <c>KEY=VALUE</c> lines, <c>#</c>
/// comments and blank lines skipped, an optional <c>export </c>, values in single quotes taken as
/// they are, in double quotes with <c>\n</c> and <c>\"</c> escapes, unquoted ones cut at <c> #</c>.
/// </summary>
internal static class DotEnv
{
    /// <summary>The variables in file order; the problems (by line) in <paramref name="problems"/>.</summary>
    public static List<(string Name, string Value)> Parse(string text, List<string> problems)
    {
        var result = new List<(string, string)>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? line : line[..equals]).Trim();
            if (name.Length == 0 || name.Any(char.IsWhiteSpace))
            {
                problems.Add($"line {n + 1}: {Gateway.Specs.GoSyntax.Quote(lines[n])} is not KEY=VALUE");
                continue;
            }

            if (equals < 0)
            {
                continue; // a bare name takes the variable from the environment in compose; the gateway has none to give here
            }

            result.Add((name, Value(line[(equals + 1)..].Trim())));
        }

        return result;
    }

    private static string Value(string raw)
    {
        if (raw.Length >= 2 && raw[0] == '\'' && raw.IndexOf('\'', 1) is var single and > 0)
        {
            return raw[1..single];
        }

        if (raw.Length >= 2 && raw[0] == '"' && raw.LastIndexOf('"') is var close and > 0)
        {
            return raw[1..close].Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        var comment = raw.IndexOf(" #", StringComparison.Ordinal);
        return (comment < 0 ? raw : raw[..comment]).TrimEnd();
    }
}
