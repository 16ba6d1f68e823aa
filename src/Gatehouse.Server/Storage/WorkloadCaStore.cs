using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

/// <summary>
/// The persisted state of workload CAs: one <see cref="WorkloadCaRecord"/> per trust domain and its authorities.
/// A save replaces the trust domain's authorities as a whole, and only if nobody saved since the caller loaded.
/// </summary>
public sealed class WorkloadCaStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task<(WorkloadCaRecord Ca, IReadOnlyList<WorkloadAuthorityRecord> Authorities)?> LoadAsync(string trustDomain, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct); // one consistent snapshot
        var ca = await db.WorkloadCas.AsNoTracking().FirstOrDefaultAsync(c => c.TrustDomain == trustDomain, ct);
        if (ca is null)
            return null;
        var authorities = await db.WorkloadAuthorities.AsNoTracking().Where(a => a.TrustDomain == trustDomain).OrderBy(a => a.NotBefore).ToListAsync(ct);
        return (ca, authorities);
    }

    /// <summary>The current revision (0 when nothing is stored): lets a server see cheaply whether another one rotated.</summary>
    public async Task<long> RevisionAsync(string trustDomain, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.WorkloadCas.Where(c => c.TrustDomain == trustDomain).Select(c => c.Revision).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Stores the authorities as revision <paramref name="expectedRevision"/> + 1; false (nothing changed) when the
    /// stored revision is no longer <paramref name="expectedRevision"/> (0: nothing stored yet).
    /// </summary>
    public async Task<bool> TrySaveAsync(string trustDomain, long expectedRevision, long bundleSequence,
        IReadOnlyList<WorkloadAuthorityRecord> authorities, CancellationToken ct)
    {
        if (authorities.Any(a => a.TrustDomain != trustDomain))
            throw new ArgumentException("Every authority must belong to the trust domain saved.", nameof(authorities));
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (expectedRevision == 0)
        {
            db.WorkloadCas.Add(new WorkloadCaRecord { TrustDomain = trustDomain, Revision = 1, BundleSequence = bundleSequence });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                return false; // another server stored its CA first
            }
            db.ChangeTracker.Clear();
        }
        else
        {
            // The row lock taken here serializes concurrent savers; the loser sees the new revision and updates nothing.
            var updated = await db.WorkloadCas.Where(c => c.TrustDomain == trustDomain && c.Revision == expectedRevision)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Revision, expectedRevision + 1).SetProperty(c => c.BundleSequence, bundleSequence), ct);
            if (updated == 0)
                return false;
        }
        await db.WorkloadAuthorities.Where(a => a.TrustDomain == trustDomain).ExecuteDeleteAsync(ct);
        db.WorkloadAuthorities.AddRange(authorities);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
