using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Token;

/// <summary>Refresh tokens, found by the SHA-256 of the token.</summary>
public sealed class RefreshTokenStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task AddAsync(RefreshTokenRecord token, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.RefreshTokens.Add(token);
        await db.SaveChangesAsync(ct);
    }

    public async Task<RefreshTokenRecord?> FindAsync(string hash, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash, ct);
    }

    /// <summary>Marks a token rotated; false when it was already rotated or revoked (a reuse, or a concurrent use).</summary>
    public async Task<bool> TryRotateAsync(string hash, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.RefreshTokens.Where(t => t.Hash == hash && t.RotatedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RotatedAt, now), ct) > 0;
    }

    /// <summary>Revokes every refresh token of a grant (a family).</summary>
    public async Task<int> RevokeGrantAsync(string grantId, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.RefreshTokens.Where(t => t.GrantId == grantId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>Revokes every refresh token of the user (the user was disabled).</summary>
    public async Task<int> RevokeSubjectAsync(string subject, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.RefreshTokens.Where(t => t.Subject == subject && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>Revokes the refresh tokens issued in a session (logout) and returns the grants they belonged to.</summary>
    public async Task<IReadOnlyList<string>> RevokeSessionAsync(string sessionId, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var grants = await db.RefreshTokens.Where(t => t.SessionId == sessionId && t.RevokedAt == null)
            .Select(t => t.GrantId).Distinct().ToListAsync(ct);
        await db.RefreshTokens.Where(t => t.SessionId == sessionId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        return grants;
    }
}
