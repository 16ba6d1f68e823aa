using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Authentication;

/// <summary>Pushed authorization requests (RFC 9126), found by the SHA-256 of the request_uri's random part.</summary>
public sealed class PushedAuthorizationRequestStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task AddAsync(PushedAuthorizationRequestRecord request, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.PushedAuthorizationRequests.Add(request);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The request if it belongs to <paramref name="clientId"/> and has not expired.</summary>
    public async Task<PushedAuthorizationRequestRecord?> FindAsync(string hash, string clientId, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.PushedAuthorizationRequests.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Hash == hash && r.ClientId == clientId && r.ExpiresAt > now, ct);
    }

    /// <summary>Used up once a code is issued for it (RFC 9126 §4: request_uri values should be one-time use).</summary>
    public async Task DeleteAsync(string hash, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        await db.PushedAuthorizationRequests.Where(r => r.Hash == hash).ExecuteDeleteAsync(ct);
    }
}
