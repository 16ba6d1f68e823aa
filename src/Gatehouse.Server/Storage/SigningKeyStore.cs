using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

public sealed class SigningKeyStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.SigningKeys.AsNoTracking().OrderBy(k => k.ActivatesAt).ToListAsync(ct);
    }

    public async Task AddAsync(SigningKeyRecord key, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.SigningKeys.Add(key);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Moves a key's retirement (and with it its expiry) earlier, when a newer key takes over sooner than planned.</summary>
    public async Task RescheduleAsync(string kid, long activatesAt, long retiresAt, long expiresAt, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        await db.SigningKeys.Where(k => k.Kid == kid)
            .ExecuteUpdateAsync(s => s
                .SetProperty(k => k.ActivatesAt, activatesAt)
                .SetProperty(k => k.RetiresAt, retiresAt)
                .SetProperty(k => k.ExpiresAt, expiresAt), ct);
    }

    public async Task<int> DeleteExpiredAsync(long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.SigningKeys.Where(k => k.ExpiresAt <= now).ExecuteDeleteAsync(ct);
    }
}
