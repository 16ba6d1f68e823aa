using Gatehouse.Server.Authentication;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Hosting;

/// <summary>The cleanup service of a running host: every kind of expired row goes, batch after batch; live rows stay.</summary>
public class TokenCleanupServiceTests
{
    [Fact]
    public async Task Cleanup_DeletesEveryKindOfExpiredRow_BeyondOneBatch_AndKeepsLiveOnes()
    {
        await using var host = await GatehouseTestHost.StartAsync(s => s["Gatehouse:Storage:CleanupInterval"] = "00:01:00");
        var now = host.Time.GetUtcNow().ToUnixTimeSeconds();
        var ct = CancellationToken.None;
        var accessTokens = host.Services.GetRequiredService<AccessTokenStore>();
        // More than one batch of expired access tokens, so the service must loop.
        await Task.WhenAll(Enumerable.Range(0, 600).Select(i => accessTokens.AddAsync(
            new AccessTokenRecord { Hash = $"expired-{i}", ClientId = "service", Jwt = "j", ExpiresAt = now + 30 }, ct)));
        await accessTokens.AddAsync(new AccessTokenRecord { Hash = "live", ClientId = "service", Jwt = "j", ExpiresAt = now + 3600 }, ct);
        await host.Services.GetRequiredService<AuthorizationCodeStore>().AddAsync(new AuthorizationCodeRecord
        {
            Hash = "code", ClientId = "web", RedirectUri = "https://app.test/cb", CodeChallenge = new string('a', 43), Subject = "s",
            SessionId = "sid", Scope = "openid", Amr = "pwd", GrantId = "g", CreatedAt = now, ExpiresAt = now + 30,
        }, ct);
        await host.Services.GetRequiredService<RefreshTokenStore>().AddAsync(new RefreshTokenRecord
        {
            Hash = "refresh", GrantId = "g", ClientId = "web", Subject = "s", SessionId = "sid", Scope = "openid", Amr = "pwd", ExpiresAt = now + 30,
        }, ct);
        await host.Services.GetRequiredService<SessionStore>().AddAsync(new UserSessionRecord
        {
            Hash = "session", SessionId = "sid", Subject = "s", Amr = "pwd", ExpiresAt = now + 30,
        }, ct);
        await host.Services.GetRequiredService<PushedAuthorizationRequestStore>().AddAsync(new PushedAuthorizationRequestRecord
        {
            Hash = "par", ClientId = "web", Parameters = "{}", ExpiresAt = now + 30,
        }, ct);

        // The first tick comes after one interval; each batch is followed by a pause on the same (fake) clock.
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await CountAsync(host, db => db.AccessTokens.Count()) > 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            host.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, await CountAsync(host, db => db.AccessTokens.Count()));
        Assert.NotNull(await accessTokens.FindByHashAsync("live", ct));
        Assert.Equal(0, await CountAsync(host, db => db.AuthorizationCodes.Count()));
        Assert.Equal(0, await CountAsync(host, db => db.RefreshTokens.Count()));
        Assert.Equal(0, await CountAsync(host, db => db.UserSessions.Count()));
        Assert.Equal(0, await CountAsync(host, db => db.PushedAuthorizationRequests.Count()));
    }

    private static async Task<int> CountAsync(GatehouseTestHost host, Func<GatehouseDbContext, int> count)
    {
        await using var db = host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<GatehouseDbContext>>().CreateDbContext();
        return count(db);
    }
}
