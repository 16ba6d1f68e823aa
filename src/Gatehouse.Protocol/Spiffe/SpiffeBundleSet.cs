using System.Collections.Concurrent;

namespace Gatehouse.Protocol.Spiffe;

/// <summary>
/// Bundles keyed by trust domain: one per trust domain, never merged, so an authority of one trust domain
/// can never vouch for an ID of another (SPIFFE_Trust_Domain_and_Bundle §6.4).
/// </summary>
public sealed class SpiffeBundleSet
{
    private readonly ConcurrentDictionary<TrustDomain, SpiffeBundle> _bundles = new();

    public SpiffeBundleSet(params IEnumerable<SpiffeBundle> bundles)
    {
        foreach (var bundle in bundles)
            Put(bundle);
    }

    /// <summary>Adds or replaces the bundle of its trust domain.</summary>
    public void Put(SpiffeBundle bundle) => _bundles[bundle.TrustDomain] = bundle;

    public bool Remove(TrustDomain trustDomain) => _bundles.TryRemove(trustDomain, out _);

    public bool TryGet(TrustDomain trustDomain, out SpiffeBundle bundle) => _bundles.TryGetValue(trustDomain, out bundle!);

    public IReadOnlyCollection<TrustDomain> TrustDomains => _bundles.Keys.ToArray();
}
