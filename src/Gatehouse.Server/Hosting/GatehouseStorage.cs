using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Hosting;

public static class GatehouseStorage
{
    /// <summary>Applies pending migrations; returns their names.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var db = services.GetRequiredService<IDbContextFactory<GatehouseDbContext>>().CreateDbContext();
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        await db.Database.MigrateAsync(ct);
        await SqliteMaintenance.EnableWriteAheadLogAsync(db, ct);
        return pending;
    }

    public static async Task<IReadOnlyList<string>> PendingMigrationsAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var db = services.GetRequiredService<IDbContextFactory<GatehouseDbContext>>().CreateDbContext();
        return (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
    }
}
