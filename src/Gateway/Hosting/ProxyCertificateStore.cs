using System.Security.Cryptography.X509Certificates;
using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>
/// The certificate set the proxy listener serves now; Kestrel's <c>ServerCertificateSelector</c>
/// asks it at each handshake. A reload that validates swaps the set in one reference write: open
/// connections keep theirs, the next handshake gets the new one, and nothing restarts.
/// </summary>
internal sealed partial class ProxyCertificateStore(ProxyCertificateSet? initial)
{
    private volatile ProxyCertificateSet? _current = initial;

    public ProxyCertificateSet? Current => _current;

    public X509Certificate2? Select(string? serverName) => _current?.Select(serverName);

    /// <summary>Serves the certificates of each spec the catalog applies, saying what a client would refuse.</summary>
    public void Follow(ServiceCatalog catalog, ILogger logger) => catalog.Changed += spec =>
    {
        if (spec.ProxyCertificates is null || spec.ProxyCertificates.Identity == _current?.Identity)
        {
            return; // The same certificates read again, or TLS turned off in the file (the https listener needs a restart for that).
        }

        _current = spec.ProxyCertificates;
        Log.Swapped(logger, spec.ProxyCertificates.Files.Count);
        foreach (var warning in spec.ProxyCertificates.Warnings)
        {
            Log.Warning(logger, warning);
        }
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 830, Level = LogLevel.Information, Message = "proxy certificates reloaded from {Count} file(s)")]
        public static partial void Swapped(ILogger logger, int count);

        [LoggerMessage(EventId = 831, Level = LogLevel.Warning, Message = "{Warning}")]
        public static partial void Warning(ILogger logger, string warning);
    }
}
