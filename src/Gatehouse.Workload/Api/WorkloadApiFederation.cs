using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Api;

/// <summary>
/// Bundles of foreign trust domains this agent federates with (none by default), one per trust domain and never
/// merged (SPIFFE_Trust_Domain_and_Bundle §6.4). Replaced as they are refreshed; streams resend on every change.
/// </summary>
public sealed class WorkloadApiFederation
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TrustDomain, (SpiffeBundle Bundle, string Json)> _bundles = [];

    public WorkloadApiFederation(IEnumerable<SpiffeBundle>? bundles = null)
    {
        foreach (var bundle in bundles ?? [])
            _bundles[bundle.TrustDomain] = (bundle, bundle.ToJson());
    }

    /// <summary>Raised after a trust domain's bundle was added or its content changed.</summary>
    public event Action<SpiffeBundle>? BundleChanged;

    public IReadOnlyList<SpiffeBundle> Bundles
    {
        get { lock (_lock) return [.. _bundles.Values.Select(b => b.Bundle)]; }
    }

    /// <summary>Sets <paramref name="bundle"/> as its trust domain's bundle; an unchanged bundle changes nothing.</summary>
    public void Put(SpiffeBundle bundle)
    {
        var json = bundle.ToJson();
        lock (_lock)
        {
            if (_bundles.TryGetValue(bundle.TrustDomain, out var held) && held.Json == json)
                return;
            _bundles[bundle.TrustDomain] = (bundle, json);
        }
        BundleChanged?.Invoke(bundle);
    }
}
