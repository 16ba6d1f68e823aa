using System.Collections.Concurrent;

namespace Gatehouse.Workload.Registration;

public sealed class InMemoryRegistrationEntryStore : IRegistrationEntryStore
{
    private readonly ConcurrentDictionary<string, RegistrationEntry> _entries = new(StringComparer.Ordinal);

    public Task<bool> CreateAsync(RegistrationEntry entry, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.TryAdd(entry.Id, entry));

    public Task<RegistrationEntry?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.GetValueOrDefault(id));

    public Task<IReadOnlyList<RegistrationEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RegistrationEntry>>(_entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal).ToArray());

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.TryRemove(id, out _));

    public Task<IReadOnlyList<RegistrationEntry>> MatchAsync(IEnumerable<Selector> workloadSelectors, CancellationToken cancellationToken = default) =>
        Task.FromResult(RegistrationEntryMatcher.Match(_entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal), workloadSelectors));
}
