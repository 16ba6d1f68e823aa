using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Token;

public enum CodeRedemption { Redeemed, Replayed, Unknown }

/// <summary>Authorization codes, found by the SHA-256 of the code.</summary>
public sealed class AuthorizationCodeStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task AddAsync(AuthorizationCodeRecord code, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.AuthorizationCodes.Add(code);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Marks the code used with one conditional UPDATE, so of two concurrent redemptions exactly one wins; the other,
    /// like any later one, is a replay. Expiry and bindings are the caller's to check on the returned record.
    /// </summary>
    public async Task<(CodeRedemption Outcome, AuthorizationCodeRecord? Code)> RedeemAsync(string hash, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var code = await db.AuthorizationCodes.AsNoTracking().FirstOrDefaultAsync(c => c.Hash == hash, ct);
        if (code is null)
            return (CodeRedemption.Unknown, null);
        var won = await db.AuthorizationCodes.Where(c => c.Hash == hash && c.RedeemedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RedeemedAt, now), ct) > 0;
        return (won ? CodeRedemption.Redeemed : CodeRedemption.Replayed, code);
    }
}
