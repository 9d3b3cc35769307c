using Gateway.Specs;

namespace Gateway.Runtimes;

/// <summary>
/// A runtime whose containers outlive the gateway (Docker). Before any pod of its services is created,
/// the gateway asks it for what an earlier gateway left: it adopts what still matches and runs, so a
/// gateway restart never doubles or orphans a backend.
/// </summary>
public interface IAdoptingRuntime
{
    /// <summary>
    /// Finds the containers this runtime's labels name: returns the pods of <paramref name="services"/>
    /// that match their current template and run (at most <c>Replicas</c> per service), and removes every
    /// other container it finds. Throws when the runtime cannot be reached.
    /// </summary>
    Task<IReadOnlyList<AdoptedPod>> AdoptAsync(IReadOnlyList<ServiceSpec> services, CancellationToken cancellationToken);
}
