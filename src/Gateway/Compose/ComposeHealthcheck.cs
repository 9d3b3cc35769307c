using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// A compose <c>healthcheck</c> as the container's readiness probe: the same <c>test</c> as an exec
/// probe (<c>CMD</c> runs its words, <c>CMD-SHELL</c> and a plain string run <c>/bin/sh -c</c>),
/// <c>interval</c> as periodSeconds, <c>timeout</c> as timeoutSeconds, <c>retries</c> as
/// failureThreshold, with compose's defaults (30s, 30s, 3), rounded up to whole seconds.
/// Compose's "healthy" is the pod's Ready: the first success makes it healthy, <c>retries</c>
/// failures in a row make it unhealthy, and neither restarts the container.
/// <c>start_period</c> (and <c>start_interval</c>) need no field: failures during the start period
/// do not count in compose, and a readiness failure never restarts in Kubernetes either, while its
/// first success counts at once in both. (An initialDelaySeconds would hold the pod un-Ready for the
/// whole period even when it is healthy after a second; a startupProbe would kill the container
/// when the period runs out, which Docker never does for a failing healthcheck, and would delay
/// Ready to the readiness probe's next period.)
/// </summary>
internal static class ComposeHealthcheck
{
    private static readonly string[] Keys = ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"];

    /// <summary>The readiness probe; null when there is no healthcheck or it is disabled.</summary>
    public static JsonObject? Read(YamlTree healthcheck)
    {
        if (healthcheck.IsNull || !healthcheck.ExpectMapping())
        {
            return null;
        }

        foreach (var (key, value) in healthcheck.Entries().Where(e => !Keys.Contains(e.Key)))
        {
            healthcheck.Errors.Add(ComposeTranslator.Unknown(value.Path, Keys));
        }

        var interval = healthcheck.Child("interval").Duration() ?? TimeSpan.FromSeconds(30);
        var timeout = healthcheck.Child("timeout").Duration() ?? TimeSpan.FromSeconds(30);
        var retries = (int?)healthcheck.Child("retries").Integer(0, int.MaxValue) ?? 3;
        _ = healthcheck.Child("start_period").Duration();
        _ = healthcheck.Child("start_interval").Duration();
        if (healthcheck.Child("disable").Boolean() == true)
        {
            return null;
        }

        var test = healthcheck.Child("test");
        List<string>? command;
        if (test.IsSequence)
        {
            var words = test.StringOrList() ?? [];
            switch (words.FirstOrDefault())
            {
                case "NONE":
                    return null;
                case "CMD" when words.Count > 1:
                    command = words[1..];
                    break;
                case "CMD-SHELL" when words.Count == 2:
                    command = ["/bin/sh", "-c", words[1]];
                    break;
                default:
                    healthcheck.Errors.Add(FieldError.Invalid(test.Path, string.Join(" ", words),
                        "must be [\"CMD\", program, args...], [\"CMD-SHELL\", \"command line\"] or [\"NONE\"]"));
                    return null;
            }
        }
        else if (test.Scalar() is { Length: > 0 } line)
        {
            command = ["/bin/sh", "-c", line];
        }
        else
        {
            healthcheck.Errors.Add(FieldError.Required(test.Path, "the command that tells the service is healthy (an image's own HEALTHCHECK is not read)"));
            return null;
        }

        var probe = SettingsJson.ExecProbe(command.Select(SettingsJson.Literal));
        probe["periodSeconds"] = ComposeDuration.Seconds(interval);
        probe["timeoutSeconds"] = ComposeDuration.Seconds(timeout);
        probe["failureThreshold"] = retries == 0 ? 3 : retries; // Docker takes 0 as its default
        return probe;
    }
}
