namespace Gateway.Specs;

/// <summary>The whole validated configuration: listeners and services.</summary>
public sealed record GatewaySpec(string ProxyUrls, string AdminUrls, IReadOnlyList<ServiceSpec> Services);
