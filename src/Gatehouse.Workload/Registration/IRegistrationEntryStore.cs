using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Registration;

/// <summary>Where registration entries live: in memory (from a file) or in the Gatehouse store.</summary>
public interface IRegistrationEntryStore
{
    /// <summary>Adds the entry; false when an entry with the same id exists.</summary>
    Task<bool> CreateAsync(RegistrationEntry entry, CancellationToken cancellationToken = default);
    Task<RegistrationEntry?> FindAsync(string id, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<RegistrationEntry>> ListAsync(CancellationToken cancellationToken = default);
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Entries whose selectors are all among <paramref name="workloadSelectors"/>.</summary>
    Task<IReadOnlyList<RegistrationEntry>> MatchAsync(IEnumerable<Selector> workloadSelectors, CancellationToken cancellationToken = default);
}

public static class RegistrationEntryStoreExtensions
{
    /// <summary>
    /// The entries a workload with <paramref name="selectors"/> is entitled to, one per SPIFFE ID (the first is the
    /// default identity, Workload API §5.3), only <paramref name="requested"/>'s when given.
    /// </summary>
    public static async Task<RegistrationEntry[]> EntitledAsync(this IRegistrationEntryStore entries, IEnumerable<Selector> selectors, SpiffeId? requested,
        CancellationToken cancellationToken) =>
        (await entries.MatchAsync(selectors, cancellationToken).ConfigureAwait(false))
            .Where(e => requested is null || e.SpiffeId == requested)
            .DistinctBy(e => e.SpiffeId)
            .ToArray();
}
