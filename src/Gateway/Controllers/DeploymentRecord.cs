namespace Gateway.Controllers;

/// <summary>
/// What the gateway keeps of one replicated service as a Deployment: the API's override (if it
/// holds), the template revisions, and the generations (<c>metadata.generation</c> counts changes
/// of the spec in force; <c>status.observedGeneration</c> is the last the replica controller acted on).
/// </summary>
/// <param name="SpecKey">The spec in force (replicas, template, paused), to tell when it changes.</param>
public sealed record DeploymentRecord(ServiceOverride? Override, RevisionHistory History, long Generation, long ObservedGeneration, string SpecKey, DateTimeOffset Created)
{
    /// <summary>Where the spec in force comes from: the API while an override holds, else the file.</summary>
    public string Source => Override is null ? DeploymentStore.SourceFile : DeploymentStore.SourceApi;

    public bool Paused => Override?.Paused ?? false;
}
