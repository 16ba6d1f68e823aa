using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

/// <summary>Issued opaque tokens and revoked JWTs. Every method is one round trip to the store.</summary>
public sealed class AccessTokenStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    // Compiled queries are bound to the model of the first context that runs them, and each provider has its own
    // model, so they belong to the store instance (one per process and provider), not to the type.
    private readonly Func<GatehouseDbContext, string, CancellationToken, Task<AccessTokenRecord?>> FindByHashQuery =
        EF.CompileAsyncQuery((GatehouseDbContext db, string hash, CancellationToken _) =>
            db.AccessTokens.AsNoTracking().FirstOrDefault(t => t.Hash == hash));

    private readonly Func<GatehouseDbContext, string, CancellationToken, Task<bool>> IsJwtRevokedQuery =
        EF.CompileAsyncQuery((GatehouseDbContext db, string jti, CancellationToken _) =>
            db.RevokedJwts.Any(r => r.Jti == jti));

    public async Task AddAsync(AccessTokenRecord record, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.AccessTokens.Add(record);
        await db.SaveChangesAsync(ct);
    }

    public async Task<AccessTokenRecord?> FindByHashAsync(string hash, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await FindByHashQuery(db, hash, ct);
    }

    /// <summary>Marks the token revoked if it belongs to <paramref name="clientId"/>; false when no such token exists.</summary>
    public async Task<bool> RevokeAsync(string hash, string clientId, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var updated = await db.AccessTokens
            .Where(t => t.Hash == hash && t.ClientId == clientId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        return updated > 0;
    }

    public async Task<bool> IsJwtRevokedAsync(string jti, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await IsJwtRevokedQuery(db, jti, ct);
    }

    public async Task RevokeJwtAsync(RevokedJwtRecord record, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        if (await IsJwtRevokedQuery(db, record.Jti, ct))
            return;
        db.RevokedJwts.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Revoked concurrently by another request: the outcome is the same. Anything else is a real failure.
            await using var check = contexts.CreateDbContext();
            if (!await IsJwtRevokedQuery(check, record.Jti, ct))
                throw;
        }
    }

    /// <summary>Deletes at most <paramref name="batchSize"/> expired rows per table; returns how many went.</summary>
    public async Task<int> DeleteExpiredAsync(long now, int batchSize, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var tokens = db.AccessTokens.Where(t => t.ExpiresAt <= now).OrderBy(t => t.ExpiresAt).Select(t => t.Hash).Take(batchSize);
        var deleted = await db.AccessTokens.Where(t => tokens.Contains(t.Hash)).ExecuteDeleteAsync(ct);
        var jtis = db.RevokedJwts.Where(r => r.ExpiresAt <= now).OrderBy(r => r.ExpiresAt).Select(r => r.Jti).Take(batchSize);
        deleted += await db.RevokedJwts.Where(r => jtis.Contains(r.Jti)).ExecuteDeleteAsync(ct);
        return deleted;
    }
}
