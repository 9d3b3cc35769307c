namespace Gateway.Specs;

/// <summary>The message for a key that is not a field: it names the nearest field the user may have meant.</summary>
internal static class FieldNames
{
    /// <summary>
    /// <c>unknown field; did you mean "Urls"?</c> when one of <paramref name="known"/> is a typo away
    /// from <paramref name="key"/>, else <c>unknown field; </c> and <paramref name="otherwise"/>.
    /// </summary>
    public static string UnknownDetail(string key, IEnumerable<string> known, string otherwise)
    {
        var nearest = Nearest(key, known);
        return nearest is null ? $"unknown field; {otherwise}" : $"unknown field; did you mean {GoSyntax.Quote(nearest)}?";
    }

    /// <summary>The full error for an unknown configuration key under <paramref name="path"/>.</summary>
    public static FieldError UnknownKey(string path, string key, IReadOnlyCollection<string> known) =>
        new($"{path}:{key}", FieldError.InvalidType, GoSyntax.Quote(key),
            UnknownDetail(key, known, $"supported fields: {string.Join(", ", known)}"));

    /// <summary>The name closest to <paramref name="key"/> (case-insensitive), when close enough to be a typo.</summary>
    public static string? Nearest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var distance = Distance(key.ToLowerInvariant(), name.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        // A third of the name may be wrong: "Url" for "Urls", "readinesProbe", "Rotue".
        return best is not null && bestDistance <= Math.Max(1, best.Length / 3) ? best : null;
    }

    // Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
