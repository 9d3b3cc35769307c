namespace Gateway.Probes;

/// <summary>
/// What one run of a probe handler found. <see cref="IsError"/> means the probe could not run at
/// all (a port name that does not resolve, a runtime error): such a run is retried and, if it
/// still errors, thrown away without counting toward a threshold.
/// </summary>
/// <param name="Result">Success or Failure; ignored when <see cref="IsError"/>.</param>
/// <param name="Output">What the handler saw, at most 10 KiB: exec output, the HTTP body or the reason.</param>
/// <param name="Warning">A warning for a <c>ProbeWarning</c> event, e.g. a redirect to another host.</param>
/// <param name="IsError">True when the probe could not be run.</param>
public readonly record struct ProbeOutcome(ProbeResult Result, string Output, string? Warning = null, bool IsError = false)
{
    public static ProbeOutcome Success(string output = "", string? warning = null) => new(ProbeResult.Success, output, warning);

    public static ProbeOutcome Failure(string output) => new(ProbeResult.Failure, output);

    public static ProbeOutcome Error(string output) => new(ProbeResult.Failure, output, IsError: true);
}
