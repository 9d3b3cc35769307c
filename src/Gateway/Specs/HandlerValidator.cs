using System.Globalization;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Validates the handler of a probe or a lifecycle hook: exactly one of exec, httpGet, tcpSocket,
/// grpc or sleep, and that one well formed (k8s validateHandler).
/// </summary>
internal static class HandlerValidator
{
    private static readonly string[] HttpSchemes = ["HTTP", "HTTPS"];

    /// <summary>
    /// Checks the choice among <paramref name="handlers"/> (name and action, null when not set) and
    /// validates the chosen one. <paramref name="unsupportedHandlerSet"/> says that a handler the
    /// caller has already rejected is present, so the lack of a supported one is not reported again.
    /// </summary>
    public static void Validate(
        string path,
        IEnumerable<(string Name, object? Action)> handlers,
        bool unsupportedHandlerSet,
        DeclaredPorts ports,
        long gracePeriodSeconds,
        List<FieldError> errors)
    {
        var count = 0;
        foreach (var (name, action) in handlers)
        {
            if (action is null)
            {
                continue;
            }

            var actionPath = FieldPath.Child(path, name);
            if (count++ > 0)
            {
                errors.Add(FieldError.Forbidden(actionPath, "may not specify more than 1 handler type"));
                continue;
            }

            SupportedFields.Report(action, actionPath, errors);
            switch (action)
            {
                case V1ExecAction exec:
                    ValidateExec(exec, actionPath, errors);
                    break;
                case V1HTTPGetAction httpGet:
                    ValidateHttpGet(httpGet, actionPath, ports, errors);
                    break;
                case V1TCPSocketAction tcpSocket:
                    ValidatePort(tcpSocket.Port, FieldPath.Child(actionPath, "port"), ports, errors);
                    break;
                case V1GRPCAction grpc:
                    errors.AddInvalid(FieldPath.Child(actionPath, "port"), grpc.Port, NameRules.PortNumber(grpc.Port));
                    break;
                case V1SleepAction sleep:
                    ValidateSleep(sleep, actionPath, gracePeriodSeconds, errors);
                    break;
                default:
                    throw new ArgumentException($"Unknown handler type {action.GetType().Name}.", nameof(handlers));
            }
        }

        if (count == 0 && !unsupportedHandlerSet)
        {
            errors.Add(FieldError.Required(path, "must specify a handler type"));
        }
    }

    private static void ValidateExec(V1ExecAction exec, string path, List<FieldError> errors)
    {
        if (exec.Command is null or { Count: 0 })
        {
            errors.Add(FieldError.Required(FieldPath.Child(path, "command")));
        }
    }

    private static void ValidateHttpGet(V1HTTPGetAction httpGet, string path, DeclaredPorts ports, List<FieldError> errors)
    {
        ValidatePort(httpGet.Port, FieldPath.Child(path, "port"), ports, errors);
        errors.AddIfNotSupported(FieldPath.Child(path, "scheme"), httpGet.Scheme, HttpSchemes);

        var headersPath = FieldPath.Child(path, "httpHeaders");
        for (var i = 0; i < (httpGet.HttpHeaders?.Count ?? 0); i++)
        {
            var headerPath = FieldPath.Index(headersPath, i);
            if (httpGet.HttpHeaders![i] is not { } header)
            {
                errors.Add(FieldError.Required(headerPath));
                continue;
            }

            SupportedFields.Report(header, headerPath, errors);
            var name = header.Name ?? string.Empty;
            errors.AddInvalid(FieldPath.Child(headerPath, "name"), name, NameRules.HttpHeaderName(name));
        }
    }

    // A port is a number, or the name of one of the container's own ports (k8s ValidatePortNumOrName,
    // plus the gateway's check that the name resolves, which Kubernetes leaves to the kubelet).
    private static void ValidatePort(IntOrString? port, string path, DeclaredPorts ports, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(port?.Value))
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        if (long.TryParse(port.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            errors.AddInvalid(path, number, NameRules.PortNumber(number));
            return;
        }

        var nameErrors = NameRules.PortName(port.Value);
        if (nameErrors.Count > 0)
        {
            errors.AddInvalid(path, port.Value, nameErrors);
        }
        else if (!ports.Names.Contains(port.Value))
        {
            errors.Add(FieldError.Invalid(path, port.Value, ports.Undeclared));
        }
    }

    private static void ValidateSleep(V1SleepAction sleep, string path, long gracePeriodSeconds, List<FieldError> errors)
    {
        if (sleep.Seconds < 0 || sleep.Seconds > gracePeriodSeconds)
        {
            errors.Add(FieldError.Invalid(
                FieldPath.Child(path, "seconds"),
                sleep.Seconds,
                $"must be non-negative and less than terminationGracePeriodSeconds ({gracePeriodSeconds})"));
        }
    }
}
