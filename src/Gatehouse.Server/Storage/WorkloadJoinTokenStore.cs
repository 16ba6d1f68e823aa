using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

public sealed class WorkloadJoinTokenStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task AddAsync(WorkloadJoinTokenRecord token, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.WorkloadJoinTokens.Add(token);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Marks the token with this hash used, if it exists, is unused and unexpired at <paramref name="now"/>; returns
    /// its id, or null. One conditional UPDATE, so of two concurrent redemptions exactly one succeeds.
    /// </summary>
    public async Task<string?> TryRedeemAsync(string hash, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var redeemed = await db.WorkloadJoinTokens.Where(t => t.Hash == hash && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        if (redeemed == 0)
            return null;
        return await db.WorkloadJoinTokens.Where(t => t.Hash == hash).Select(t => t.Id).FirstAsync(ct);
    }

    /// <summary>Removes tokens that can no longer be redeemed.</summary>
    public async Task<int> DeleteExpiredAsync(long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.WorkloadJoinTokens.Where(t => t.ExpiresAt <= now).ExecuteDeleteAsync(ct);
    }
}
