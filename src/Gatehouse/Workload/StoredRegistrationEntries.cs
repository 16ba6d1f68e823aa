using Gatehouse.Protocol.Spiffe;
using Gatehouse.Server.Storage;
using Gatehouse.Workload.Registration;

namespace Gatehouse.Workload;

/// <summary>Registration entries in the Gatehouse store.</summary>
internal sealed class StoredRegistrationEntries(WorkloadEntryStore store, TimeProvider time) : IRegistrationEntryStore
{
    public Task<bool> CreateAsync(RegistrationEntry entry, CancellationToken cancellationToken = default) =>
        store.TryAddAsync(new WorkloadEntryRecord
        {
            Id = entry.Id,
            SpiffeId = entry.SpiffeId.ToString(),
            Selectors = entry.Selectors.Select(s => s.ToString()).ToArray(),
            DnsNames = entry.DnsNames.ToArray(),
            X509SvidTtl = Seconds(entry.X509SvidTtl),
            JwtSvidTtl = Seconds(entry.JwtSvidTtl),
            CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
        }, cancellationToken);

    public async Task<RegistrationEntry?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        await store.FindAsync(id, cancellationToken) is { } record ? ToEntry(record) : null;

    public async Task<IReadOnlyList<RegistrationEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync(cancellationToken)).Select(ToEntry).ToArray();

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => store.DeleteAsync(id, cancellationToken);

    public async Task<IReadOnlyList<RegistrationEntry>> MatchAsync(IEnumerable<Selector> workloadSelectors, CancellationToken cancellationToken = default) =>
        RegistrationEntryMatcher.Match(await ListAsync(cancellationToken), workloadSelectors);

    private static int? Seconds(TimeSpan? ttl) => ttl is { } t ? (int)Math.Ceiling(t.TotalSeconds) : null;

    private static RegistrationEntry ToEntry(WorkloadEntryRecord r) => new(r.Id, SpiffeId.Parse(r.SpiffeId), r.Selectors.Select(Selector.Parse).ToArray(),
        r.DnsNames, r.X509SvidTtl is { } x ? TimeSpan.FromSeconds(x) : null, r.JwtSvidTtl is { } j ? TimeSpan.FromSeconds(j) : null);
}
