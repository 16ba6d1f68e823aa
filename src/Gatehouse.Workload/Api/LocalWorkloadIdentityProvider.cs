using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Api;

/// <summary>SVIDs from a CA in this process, for the entries of <paramref name="entries"/>.</summary>
public sealed class LocalWorkloadIdentityProvider(WorkloadCaManager ca, IRegistrationEntryStore entries) : IWorkloadIdentityProvider
{
    public TrustDomain TrustDomain => ca.TrustDomain;
    public SpiffeBundle Bundle => ca.Bundle;

    public event Action<SpiffeBundle>? BundleChanged
    {
        add => ca.BundleChanged += value;
        remove => ca.BundleChanged -= value;
    }

    public async Task<bool> IsEntitledAsync(IReadOnlyList<Selector> selectors, CancellationToken cancellationToken) =>
        (await entries.MatchAsync(selectors, cancellationToken).ConfigureAwait(false)).Count > 0;

    public async Task<IReadOnlyList<X509Svid>> FetchX509SvidsAsync(IReadOnlyList<Selector> selectors, CancellationToken cancellationToken) =>
        (await entries.EntitledAsync(selectors, requested: null, cancellationToken).ConfigureAwait(false))
            .Select(e => ca.IssueX509Svid(e.SpiffeId, e.DnsNames, e.X509SvidTtl)).ToArray();

    public async Task<IReadOnlyList<JwtSvid>> FetchJwtSvidsAsync(IReadOnlyList<Selector> selectors, IReadOnlyCollection<string> audiences, SpiffeId? requested,
        CancellationToken cancellationToken) =>
        (await entries.EntitledAsync(selectors, requested, cancellationToken).ConfigureAwait(false))
            .Select(e => new JwtSvid(e.SpiffeId, ca.IssueJwtSvid(e.SpiffeId, audiences, e.JwtSvidTtl))).ToArray();
}
