using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Authentication;

/// <summary>Single sign-on sessions, found by the SHA-256 of the cookie value.</summary>
public sealed class SessionStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task AddAsync(UserSessionRecord session, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The session if it exists, has not ended and has not expired at <paramref name="now"/>.</summary>
    public async Task<UserSessionRecord?> FindActiveAsync(string hash, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.UserSessions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Hash == hash && s.EndedAt == null && s.ExpiresAt > now, ct);
    }

    /// <summary>Ends a session; false when it had already ended or does not exist.</summary>
    public async Task<bool> EndAsync(string sessionId, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.UserSessions.Where(s => s.SessionId == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), ct) > 0;
    }

    /// <summary>Ends every session of the user (the user was disabled).</summary>
    public async Task<int> EndSubjectAsync(string subject, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.UserSessions.Where(s => s.Subject == subject && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), ct);
    }
}
