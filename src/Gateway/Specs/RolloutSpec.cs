using System.Globalization;

namespace Gateway.Specs;

/// <summary>A Deployment's rolling update: how many pods above and below the replica count a rollout may go.</summary>
/// <param name="MaxSurge">A count or a percentage of replicas, rounded up (default 25%).</param>
/// <param name="MaxUnavailable">A count or a percentage of replicas, rounded down (default 25%).</param>
public sealed record RolloutSpec(string MaxSurge = "25%", string MaxUnavailable = "25%")
{
    public static readonly RolloutSpec Default = new();

    /// <summary>(surge, unavailable) for <paramref name="replicas"/>, as the deployment controller resolves them: never both zero.</summary>
    public (int Surge, int Unavailable) Resolve(int replicas)
    {
        var surge = Scaled(MaxSurge, replicas, roundUp: true);
        var unavailable = Scaled(MaxUnavailable, replicas, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>Whether <paramref name="value"/> is a non-negative count or percentage.</summary>
    public static bool IsValid(string value) => TryScale(value, 100, true, out _);

    /// <summary>What is wrong with <paramref name="value"/> as a MaxSurge (or, <paramref name="unavailable"/>, a MaxUnavailable); null when nothing is.</summary>
    public static string? Problem(string value, bool unavailable) =>
        !IsValid(value) ? "must be a non-negative integer or a percentage, e.g. \"25%\""
        : unavailable && value.EndsWith('%') && int.Parse(value[..^1], CultureInfo.InvariantCulture) > 100 ? "must not be greater than 100%"
        : null;

    /// <summary>The deployment controller's rule: a rollout with neither surge nor unavailability cannot move.</summary>
    public bool CannotMove => IsZero(MaxSurge) && IsZero(MaxUnavailable);

    private static bool IsZero(string countOrPercent) =>
        int.TryParse(countOrPercent.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == 0;

    // More than the replica count changes nothing (every pod may already be new, or down), and would
    // overflow replicas + surge: resolved values stop there.
    private static int Scaled(string value, int replicas, bool roundUp) => TryScale(value, replicas, roundUp, out var n) ? Math.Min(n, replicas) : 0;

    private static bool TryScale(string value, int replicas, bool roundUp, out int result)
    {
        result = 0;
        if (value.EndsWith('%'))
        {
            if (!int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                return false;
            }

            var exact = Math.Min(replicas * (double)percent / 100.0, int.MaxValue);
            result = (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }
}
