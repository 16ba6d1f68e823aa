using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Hosting;

public static class GatehouseStorage
{
    /// <summary>Applies pending migrations; returns their names.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var db = services.GetRequiredService<IDbContextFactory<GatehouseDbContext>>().CreateDbContext();
        var pending = await PendingAsync(db, ct);
        if (db.Database.IsNpgsql() && !await HistoryTableExistsAsync(db, ct))
            await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
        await db.Database.MigrateAsync(ct);
        await SqliteMaintenance.EnableWriteAheadLogAsync(db, ct);
        return pending;
    }

    public static async Task<IReadOnlyList<string>> PendingMigrationsAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var db = services.GetRequiredService<IDbContextFactory<GatehouseDbContext>>().CreateDbContext();
        return await PendingAsync(db, ct);
    }

    /// <remarks>
    /// Npgsql cannot tell whether EF's history table exists (that depends on search_path), so EF queries it anyway and,
    /// on an empty database, logs the failure as an error before carrying on (npgsql/efcore.pg#3407). An empty database
    /// is recognised here first, and the table created before migrating, so a first start logs no error that is none.
    /// </remarks>
    private static async Task<IReadOnlyList<string>> PendingAsync(GatehouseDbContext db, CancellationToken ct) =>
        db.Database.IsNpgsql() && !await HistoryTableExistsAsync(db, ct)
            ? db.Database.GetMigrations().ToList()
            : (await db.Database.GetPendingMigrationsAsync(ct)).ToList();

    // Resolved through search_path like EF's own unqualified references to the table.
    private static Task<bool> HistoryTableExistsAsync(GatehouseDbContext db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<bool>($"SELECT to_regclass('\"{HistoryRepository.DefaultTableName}\"') IS NOT NULL AS \"Value\"").SingleAsync(ct);
}
