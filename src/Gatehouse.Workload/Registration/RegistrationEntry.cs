using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Registration;

/// <summary>
/// Binds a SPIFFE ID to the selectors a workload must show to receive it. DNS names go into the
/// X.509-SVID (the first also as CN); a null TTL means the CA's default.
/// </summary>
public sealed record RegistrationEntry
{
    public RegistrationEntry(string id, SpiffeId spiffeId, IEnumerable<Selector> selectors, IEnumerable<string>? dnsNames = null,
        TimeSpan? x509SvidTtl = null, TimeSpan? jwtSvidTtl = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (spiffeId.IsTrustDomainId)
            throw new ArgumentException("A workload SPIFFE ID must have a path (X509-SVID §3.1).", nameof(spiffeId));
        Id = id;
        SpiffeId = spiffeId;
        Selectors = selectors.Distinct().ToArray();
        if (Selectors.Count == 0)
            throw new ArgumentException("An entry needs at least one selector; an empty set would match every workload.", nameof(selectors));
        DnsNames = dnsNames?.ToArray() ?? [];
        X509SvidTtl = x509SvidTtl;
        JwtSvidTtl = jwtSvidTtl;
    }

    public string Id { get; }
    public SpiffeId SpiffeId { get; }
    public IReadOnlyList<Selector> Selectors { get; }
    public IReadOnlyList<string> DnsNames { get; }
    public TimeSpan? X509SvidTtl { get; }
    public TimeSpan? JwtSvidTtl { get; }
}
