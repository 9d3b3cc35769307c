using k8s.Models;

namespace Gateway.Specs;

/// <summary>Validates a container's readiness, liveness and startup probes (k8s validateProbe and its callers).</summary>
internal static class ProbeValidator
{
    public static string FieldName(ProbeKind kind) => kind switch
    {
        ProbeKind.Readiness => "readinessProbe",
        ProbeKind.Liveness => "livenessProbe",
        ProbeKind.Startup => "startupProbe",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static void Validate(V1Probe probe, ProbeKind kind, string path, DeclaredPorts ports, List<FieldError> errors)
    {
        SupportedFields.Report(probe, path, errors);
        HandlerValidator.Validate(
            path,
            [("exec", probe.Exec), ("httpGet", probe.HttpGet), ("tcpSocket", probe.TcpSocket), ("grpc", probe.Grpc)],
            unsupportedHandlerSet: false,
            ports,
            gracePeriodSeconds: PodSpecDefaults.TerminationGracePeriodSeconds, // bounds a sleep handler, which probes do not have
            errors);

        Duration(probe.InitialDelaySeconds, 0, FieldPath.Child(path, "initialDelaySeconds"), errors);
        Duration(probe.TimeoutSeconds, 1, FieldPath.Child(path, "timeoutSeconds"), errors);
        Duration(probe.PeriodSeconds, 1, FieldPath.Child(path, "periodSeconds"), errors);

        var successPath = FieldPath.Child(path, "successThreshold");
        if (kind == ProbeKind.Readiness)
        {
            AtLeast(probe.SuccessThreshold, 1, successPath, errors);
        }
        else if (probe.SuccessThreshold is { } success && success != 1)
        {
            errors.Add(FieldError.Invalid(successPath, success, "must be 1"));
        }

        AtLeast(probe.FailureThreshold, 1, FieldPath.Child(path, "failureThreshold"), errors);

        var gracePath = FieldPath.Child(path, "terminationGracePeriodSeconds");
        if (probe.TerminationGracePeriodSeconds is not { } grace)
        {
            return;
        }

        if (kind == ProbeKind.Readiness)
        {
            errors.Add(FieldError.Forbidden(gracePath, "must not be set for readinessProbes"));
        }
        else if (grace <= 0)
        {
            errors.Add(FieldError.Invalid(gracePath, grace, "must be greater than 0"));
        }
        else if (grace > PodSpecValidator.MaxDurationSeconds)
        {
            errors.Add(FieldError.Invalid(gracePath, grace, PodSpecValidator.MaxDurationDetail));
        }
    }

    private static void Duration(int? seconds, int minimum, string path, List<FieldError> errors)
    {
        AtLeast(seconds, minimum, path, errors);
        if (seconds > PodSpecValidator.MaxDurationSeconds)
        {
            errors.Add(FieldError.Invalid(path, seconds, PodSpecValidator.MaxDurationDetail));
        }
    }

    private static void AtLeast(int? value, int minimum, string path, List<FieldError> errors)
    {
        if (value is { } actual && actual < minimum)
        {
            errors.Add(FieldError.Invalid(path, actual, $"must be greater than or equal to {minimum}"));
        }
    }
}
