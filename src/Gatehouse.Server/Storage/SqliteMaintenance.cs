using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

/// <summary>SQLite-only upkeep; a no-op on other providers.</summary>
public static class SqliteMaintenance
{
    /// <summary>WAL lets introspection read while issuance writes; the mode is stored in the database file.</summary>
    public static async Task EnableWriteAheadLogAsync(GatehouseDbContext db, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    /// <summary>
    /// Under constant load readers can keep automatic checkpoints from finishing, and the WAL grows without bound;
    /// a periodic TRUNCATE checkpoint brings it back to size.
    /// </summary>
    public static async Task CheckpointAsync(GatehouseDbContext db, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
    }
}
