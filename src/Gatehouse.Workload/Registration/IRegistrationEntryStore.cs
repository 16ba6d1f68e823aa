namespace Gatehouse.Workload.Registration;

/// <summary>Where registration entries live; in memory for now, the Gatehouse store later.</summary>
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
