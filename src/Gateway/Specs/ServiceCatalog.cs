namespace Gateway.Specs;

/// <summary>
/// The configuration in force, swapped whole when a changed settings file validates. Readers take
/// <see cref="Current"/>; controllers and routing follow <see cref="Changed"/>.
/// </summary>
public sealed class ServiceCatalog(GatewaySpec initial)
{
    private volatile GatewaySpec _current = initial;
    private volatile Dictionary<string, ServiceSpec> _byName = initial.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);

    public GatewaySpec Current => _current;

    public event Action<GatewaySpec>? Changed;

    public ServiceSpec? Find(string name) => _byName.GetValueOrDefault(name);

    public void Update(GatewaySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _byName = spec.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _current = spec;
        Changed?.Invoke(spec);
    }
}
