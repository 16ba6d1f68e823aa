using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Authentication;

/// <summary>The scopes each user has allowed each client.</summary>
public sealed class ConsentStore(IDbContextFactory<GatehouseDbContext> contexts)
{
    public async Task<IReadOnlySet<string>> GrantedScopesAsync(string subject, string clientId, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var scopes = await db.UserConsents.AsNoTracking()
            .Where(c => c.Subject == subject && c.ClientId == clientId).Select(c => c.Scopes).FirstOrDefaultAsync(ct);
        return (scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Adds scopes to what the user has allowed the client (earlier consent is kept).</summary>
    public async Task GrantAsync(string subject, string clientId, IEnumerable<string> scopes, long now, CancellationToken ct)
    {
        var granted = (await GrantedScopesAsync(subject, clientId, ct)).Union(scopes, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var value = string.Join(' ', granted);
        await using var db = contexts.CreateDbContext();
        var updated = await db.UserConsents.Where(c => c.Subject == subject && c.ClientId == clientId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Scopes, value).SetProperty(c => c.GrantedAt, now), ct);
        if (updated > 0)
            return;
        db.UserConsents.Add(new UserConsentRecord { Subject = subject, ClientId = clientId, Scopes = value, GrantedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Granted concurrently (a double submit): retry as an update. Anything else is a real failure.
            if (!await ExistsAsync(subject, clientId, ct))
                throw;
            await GrantAsync(subject, clientId, scopes, now, ct);
        }
    }

    private async Task<bool> ExistsAsync(string subject, string clientId, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.UserConsents.AnyAsync(c => c.Subject == subject && c.ClientId == clientId, ct);
    }
}
