using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// The service-level <c>ReadinessProbe</c> of a backend whose pods the gateway does not run (a
/// cluster's Service, static addresses): any handler but exec, validated as a container's readiness
/// probe and defaulted as the kubelet would.
/// </summary>
internal static class ServiceProbeLoader
{
    /// <summary>The probe, or null when none is set or it cannot be read (and then an error says why).</summary>
    /// <param name="ports">The port names the probe may use in place of numbers.</param>
    /// <param name="noExec">Why exec is refused, and what to use instead.</param>
    public static V1Probe? Load(SettingsSection service, DeclaredPorts ports, string noExec)
    {
        var section = service.Object("ReadinessProbe", known: null);
        if (!section.HasChildren)
        {
            return null;
        }

        var probe = ConfigurationJson.Bind<V1Probe>(section.Configuration, section.Path, service.Errors);
        if (probe is null)
        {
            return null;
        }

        ProbeValidator.Validate(probe, ProbeKind.Readiness, section.Path, ports, service.Errors);
        if (probe.Exec is not null)
        {
            service.Errors.Add(FieldError.Forbidden(FieldPath.Child(section.Path, "exec"), noExec));
        }

        PodSpecDefaults.ApplyProbeDefaults(probe);
        return probe;
    }
}
