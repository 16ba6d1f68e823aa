using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

public sealed class WorkloadEntryStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    /// <summary>Adds the entry; false when an entry with the same id exists.</summary>
    public async Task<bool> TryAddAsync(WorkloadEntryRecord entry, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.WorkloadEntries.Add(entry);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await FindAsync(entry.Id, ct) is not null)
                return false;
            throw;
        }
    }

    public async Task<WorkloadEntryRecord?> FindAsync(string id, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.WorkloadEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
    }

    public async Task<IReadOnlyList<WorkloadEntryRecord>> ListAsync(CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.WorkloadEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync(ct);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.WorkloadEntries.Where(e => e.Id == id).ExecuteDeleteAsync(ct) > 0;
    }
}
