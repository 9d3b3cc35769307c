using System.Collections.Immutable;
using System.Text;

namespace Gateway.Specs;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion (k8s.io/kubernetes third_party/forked/golang/expansion):
/// <c>$(NAME)</c> is replaced when NAME is known and left as written otherwise, <c>$$</c> is an
/// escaped <c>$</c>, and any other <c>$</c> is kept.
/// </summary>
public static class EnvExpansion
{
    /// <summary><c>command</c> or <c>args</c> with <c>$(VAR)</c> expanded from <paramref name="environment"/>.</summary>
    public static ImmutableArray<string> Expand(IEnumerable<string>? values, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return [.. (values ?? []).Select(a => Expand(a, n => environment.TryGetValue(n, out var v) ? v : null))];
    }

    public static string Expand(string input, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(lookup);
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (c != '$' || i + 1 >= input.Length)
            {
                output.Append(c);
                continue;
            }

            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i++;
            }
            else if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close < 0)
                {
                    // Unterminated reference: kept verbatim, as Kubernetes does.
                    output.Append(input, i, input.Length - i);
                    break;
                }

                var name = input.Substring(i + 2, close - i - 2);
                var value = name.Length == 0 ? null : lookup(name);
                if (value is null)
                {
                    output.Append(input, i, close - i + 1);
                }
                else
                {
                    output.Append(value);
                }

                i = close;
            }
            else
            {
                output.Append(c);
            }
        }

        return output.ToString();
    }
}
