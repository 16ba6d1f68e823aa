using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Users;

/// <summary>Users in the Gatehouse store. Every write that guards a security rule is one conditional UPDATE, so concurrent requests cannot both pass it.</summary>
public sealed class UserStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public static string Normalize(string username) => username.Trim().ToLowerInvariant();

    public async Task<UserRecord?> FindByUsernameAsync(string username, CancellationToken ct)
    {
        var normalized = Normalize(username);
        await using var db = contexts.CreateDbContext();
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, ct);
    }

    public async Task<UserRecord?> FindBySubjectAsync(string subject, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Subject == subject, ct);
    }

    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Users.AsNoTracking().OrderBy(u => u.NormalizedUsername).ToListAsync(ct);
    }

    /// <summary>Adds a user; false when the username or subject is taken (checked by the store's unique keys, not by a prior read).</summary>
    public async Task<bool> TryAddAsync(UserRecord user, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            await using var check = contexts.CreateDbContext();
            if (await check.Users.AnyAsync(u => u.NormalizedUsername == user.NormalizedUsername || u.Subject == user.Subject, ct))
                return false;
            throw;
        }
    }

    /// <summary>Sets a new password hash and lifts a lockout; false when there is no such user.</summary>
    public async Task<bool> SetPasswordHashAsync(string subject, string passwordHash, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Users.Where(u => u.Subject == subject).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.PasswordHash, passwordHash)
            .SetProperty(u => u.FailedSignIns, 0)
            .SetProperty(u => u.LockedUntil, (long?)null), ct) > 0;
    }

    /// <summary>Counts a failed sign-in; the one that reaches <paramref name="threshold"/> locks the account until <paramref name="lockedUntil"/>.</summary>
    public async Task RecordFailedSignInAsync(string subject, int threshold, long lockedUntil, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        await db.Users.Where(u => u.Subject == subject).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.FailedSignIns, u => u.FailedSignIns + 1 >= threshold ? 0 : u.FailedSignIns + 1)
            .SetProperty(u => u.LockedUntil, u => u.FailedSignIns + 1 >= threshold ? lockedUntil : u.LockedUntil), ct);
    }

    public async Task ResetFailedSignInsAsync(string subject, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        await db.Users.Where(u => u.Subject == subject && (u.FailedSignIns != 0 || u.LockedUntil != null))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignIns, 0).SetProperty(u => u.LockedUntil, (long?)null), ct);
    }

    /// <summary>Stores (or, with null, removes) the encrypted TOTP secret.</summary>
    public async Task SetTotpSecretAsync(string subject, byte[]? protectedSecret, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        await db.Users.Where(u => u.Subject == subject).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.ProtectedTotpSecret, protectedSecret)
            .SetProperty(u => u.LastTotpStep, (long?)null), ct);
    }

    /// <summary>
    /// Accepts a TOTP time step at most once and never one older than the last accepted (RFC 6238 §5.2), so a code seen
    /// over a shoulder or replayed by a second request fails; false when the step was already used.
    /// </summary>
    public async Task<bool> TryUseTotpStepAsync(string subject, long step, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Users.Where(u => u.Subject == subject && (u.LastTotpStep == null || u.LastTotpStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastTotpStep, step), ct) > 0;
    }

    public async Task<bool> SetEnabledAsync(string subject, bool enabled, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Users.Where(u => u.Subject == subject).ExecuteUpdateAsync(s => s.SetProperty(u => u.Enabled, enabled), ct) > 0;
    }
}
