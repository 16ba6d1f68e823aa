using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Gatehouse.Server.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Storage;

// The rules the authentication role relies on the store for: unique usernames, lockout counting, one use per TOTP
// step, single-use codes, rotation races and family revocation — each on both providers.
public abstract partial class StoreTests
{
    private IDbContextFactory<GatehouseDbContext> Contexts => Services.GetRequiredService<IDbContextFactory<GatehouseDbContext>>();
    private UserStore Users => new(Contexts);

    private static UserRecord User(string username, string? subject = null) => new()
    {
        Subject = subject ?? OpaqueToken.Create()[..22],
        Username = username,
        NormalizedUsername = UserStore.Normalize(username),
        PasswordHash = "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        Claims = """{"department":"cardiology","hospitals":["h1","h2"]}""",
        CreatedAt = Now,
    };

    [Fact]
    public async Task Users_AddThenFind_ByUsernameCaseInsensitively_AndBySubject()
    {
        var alice = User("Alice");
        Assert.True(await Users.TryAddAsync(alice, Ct));

        var byName = await Users.FindByUsernameAsync("  ALICE ", Ct);
        Assert.NotNull(byName);
        Assert.Equal(alice.Subject, byName.Subject);
        Assert.Equal("Alice", byName.Username);
        Assert.Equal(alice.Subject, (await Users.FindBySubjectAsync(alice.Subject, Ct))?.Subject);
        var claims = UserClaims.Parse(byName.Claims);
        Assert.Equal("cardiology", claims["department"]);
        Assert.Equal(["h1", "h2"], (string[])claims["hospitals"]);
    }

    [Fact]
    public async Task Users_SameUsernameInAnotherCase_IsRefused_AndSoIsATakenSubject()
    {
        var alice = User("alice");
        Assert.True(await Users.TryAddAsync(alice, Ct));

        Assert.False(await Users.TryAddAsync(User("ALICE"), Ct));
        Assert.False(await Users.TryAddAsync(User("bob", alice.Subject), Ct));
        Assert.Single(await Users.ListAsync(Ct));
    }

    [Fact]
    public async Task Users_FailedSignIns_LockOnTheThresholdOnly_AndSetPasswordUnlocks()
    {
        var alice = User("alice");
        await Users.TryAddAsync(alice, Ct);

        await Users.RecordFailedSignInAsync(alice.Subject, threshold: 3, lockedUntil: Now + 300, Ct);
        await Users.RecordFailedSignInAsync(alice.Subject, threshold: 3, lockedUntil: Now + 300, Ct);
        var afterTwo = await Users.FindBySubjectAsync(alice.Subject, Ct);
        Assert.Equal(2, afterTwo!.FailedSignIns);
        Assert.Null(afterTwo.LockedUntil);

        await Users.RecordFailedSignInAsync(alice.Subject, threshold: 3, lockedUntil: Now + 300, Ct);
        var locked = await Users.FindBySubjectAsync(alice.Subject, Ct);
        Assert.Equal(Now + 300, locked!.LockedUntil);
        Assert.Equal(0, locked.FailedSignIns);

        Assert.True(await Users.SetPasswordHashAsync(alice.Subject, "new-hash", Ct));
        var unlocked = await Users.FindBySubjectAsync(alice.Subject, Ct);
        Assert.Null(unlocked!.LockedUntil);
        Assert.Equal("new-hash", unlocked.PasswordHash);
        Assert.False(await Users.SetPasswordHashAsync("nobody", "x", Ct));
    }

    [Fact]
    public async Task Users_TotpStep_IsAcceptedOnce_AndNeverAnOlderOne()
    {
        var alice = User("alice");
        await Users.TryAddAsync(alice, Ct);
        await Users.SetTotpSecretAsync(alice.Subject, [1, 2, 3], Ct);

        Assert.True(await Users.TryUseTotpStepAsync(alice.Subject, 100, Ct));
        Assert.False(await Users.TryUseTotpStepAsync(alice.Subject, 100, Ct));
        Assert.False(await Users.TryUseTotpStepAsync(alice.Subject, 99, Ct));
        Assert.True(await Users.TryUseTotpStepAsync(alice.Subject, 101, Ct));
        Assert.Equal([1, 2, 3], (await Users.FindBySubjectAsync(alice.Subject, Ct))!.ProtectedTotpSecret);
    }

    [Fact]
    public async Task Users_TotpStep_ConcurrentUsesOfOneStep_ExactlyOneWins()
    {
        var alice = User("alice");
        await Users.TryAddAsync(alice, Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Users.TryUseTotpStepAsync(alice.Subject, 500, Ct))));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task Seeder_CreatesMissingUsersOnly_AndNeverChangesAnExistingOne()
    {
        var options = new Gatehouse.Server.Configuration.GatehouseOptions();
        options.Users["alice"] = new() { Password = "alice-password", Subject = "alice-sub", Claims = { ["department"] = "cardiology" }, Roles = ["doctor"] };
        var hasher = new PasswordHasher(new() { PasswordHashIterations = 1000 });
        var seeder = new UserSeeder(options, Users, hasher, TimeProvider.System);

        Assert.Equal(["alice"], await seeder.SeedAsync(Ct));
        await Users.SetPasswordHashAsync("alice-sub", hasher.Hash("changed-password"), Ct);
        options.Users["bob"] = new() { Password = "bob-password" };
        Assert.Equal(["bob"], await seeder.SeedAsync(Ct));

        var alice = await Users.FindByUsernameAsync("alice", Ct);
        Assert.True(hasher.Verify("changed-password", alice!.PasswordHash));
        var claims = UserClaims.Parse(alice.Claims);
        Assert.Equal("cardiology", claims["department"]);
        Assert.Equal(["doctor"], (string[])claims[UserClaims.Roles]);
        var bob = await Users.FindByUsernameAsync("bob", Ct);
        Assert.Equal(22, bob!.Subject.Length);
        Assert.True(hasher.Verify("bob-password", bob.PasswordHash));
    }

    private static AuthorizationCodeRecord Code(string hash, long lifetime = 60) => new()
    {
        Hash = hash, ClientId = "web", RedirectUri = "https://app.example/cb", CodeChallenge = new string('a', 43),
        Subject = "sub-1", SessionId = "sid-1", Scope = "openid profile", Nonce = "n-1", AuthTime = Now, Amr = "pwd",
        GrantId = "grant-1", CreatedAt = Now, ExpiresAt = Now + lifetime,
    };

    [Fact]
    public async Task Codes_FirstRedemptionWins_LaterOnesAreReplays_UnknownIsUnknown()
    {
        var codes = new AuthorizationCodeStore(Contexts);
        await codes.AddAsync(Code("code-1"), Ct);

        var first = await codes.RedeemAsync("code-1", Now + 1, Ct);
        var second = await codes.RedeemAsync("code-1", Now + 2, Ct);

        Assert.Equal(CodeRedemption.Redeemed, first.Outcome);
        Assert.Equal("grant-1", first.Code!.GrantId);
        Assert.Equal("n-1", first.Code.Nonce);
        Assert.Equal(CodeRedemption.Replayed, second.Outcome);
        Assert.Equal("grant-1", second.Code!.GrantId);
        Assert.Equal(CodeRedemption.Unknown, (await codes.RedeemAsync("code-2", Now, Ct)).Outcome);
    }

    [Fact]
    public async Task Codes_ConcurrentRedemptions_ExactlyOneWins()
    {
        var codes = new AuthorizationCodeStore(Contexts);
        await codes.AddAsync(Code("code-1"), Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => codes.RedeemAsync("code-1", Now, Ct))));

        Assert.Equal(1, outcomes.Count(o => o.Outcome == CodeRedemption.Redeemed));
        Assert.Equal(7, outcomes.Count(o => o.Outcome == CodeRedemption.Replayed));
    }

    private static RefreshTokenRecord Refresh(string hash, string grant, string session) => new()
    {
        Hash = hash, GrantId = grant, ClientId = "web", Subject = "sub-1", SessionId = session, Scope = "openid",
        AuthTime = Now, Amr = "pwd", IssuedAt = Now, ExpiresAt = Now + 3600,
    };

    [Fact]
    public async Task RefreshTokens_RotateOnce_ThenRevokeTheFamily_LeavesOtherFamiliesAlone()
    {
        var refresh = new RefreshTokenStore(Contexts);
        await refresh.AddAsync(Refresh("r1", "g1", "s1"), Ct);
        await refresh.AddAsync(Refresh("r2", "g1", "s1"), Ct);
        await refresh.AddAsync(Refresh("r3", "g2", "s2"), Ct);

        Assert.True(await refresh.TryRotateAsync("r1", Now, Ct));
        Assert.False(await refresh.TryRotateAsync("r1", Now, Ct));
        Assert.Equal(2, await refresh.RevokeGrantAsync("g1", Now, Ct));

        Assert.NotNull((await refresh.FindAsync("r2", Ct))!.RevokedAt);
        Assert.False(await refresh.TryRotateAsync("r2", Now, Ct));
        Assert.Null((await refresh.FindAsync("r3", Ct))!.RevokedAt);
    }

    [Fact]
    public async Task RefreshTokens_ConcurrentRotation_ExactlyOneWins()
    {
        var refresh = new RefreshTokenStore(Contexts);
        await refresh.AddAsync(Refresh("r1", "g1", "s1"), Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => refresh.TryRotateAsync("r1", Now, Ct))));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task RefreshTokens_RevokeSession_RevokesItsTokens_ReturnsTheirGrants_AndTheGrantsAccessTokens()
    {
        var refresh = new RefreshTokenStore(Contexts);
        await refresh.AddAsync(Refresh("r1", "g1", "s1"), Ct);
        await refresh.AddAsync(Refresh("r2", "g2", "s1"), Ct);
        await refresh.AddAsync(Refresh("r3", "g3", "s2"), Ct);
        await Tokens.AddAsync(new AccessTokenRecord { Hash = "a1", ClientId = "web", Jwt = "j", ExpiresAt = Now + 60, GrantId = "g1" }, Ct);
        await Tokens.AddAsync(new AccessTokenRecord { Hash = "a3", ClientId = "web", Jwt = "j", ExpiresAt = Now + 60, GrantId = "g3" }, Ct);

        var grants = await refresh.RevokeSessionAsync("s1", Now, Ct);
        foreach (var grant in grants)
            await Tokens.RevokeGrantAsync(grant, Now, Ct);

        Assert.Equal(["g1", "g2"], grants.Order());
        Assert.NotNull((await refresh.FindAsync("r2", Ct))!.RevokedAt);
        Assert.Null((await refresh.FindAsync("r3", Ct))!.RevokedAt);
        Assert.NotNull((await Tokens.FindByHashAsync("a1", Ct))!.RevokedAt);
        Assert.Null((await Tokens.FindByHashAsync("a3", Ct))!.RevokedAt);
    }

    [Fact]
    public async Task Sessions_ActiveUntilEndedOrExpired()
    {
        var sessions = new SessionStore(Contexts);
        await sessions.AddAsync(new UserSessionRecord { Hash = "h1", SessionId = "s1", Subject = "sub", AuthTime = Now, Amr = "pwd", ExpiresAt = Now + 100 }, Ct);

        Assert.Equal("s1", (await sessions.FindActiveAsync("h1", Now, Ct))?.SessionId);
        Assert.Null(await sessions.FindActiveAsync("h1", Now + 100, Ct));
        Assert.True(await sessions.EndAsync("s1", Now, Ct));
        Assert.False(await sessions.EndAsync("s1", Now, Ct));
        Assert.Null(await sessions.FindActiveAsync("h1", Now, Ct));
    }

    [Fact]
    public async Task Consents_AccumulatePerUserAndClient()
    {
        var consents = new ConsentStore(Contexts);
        await consents.GrantAsync("sub", "web", ["openid", "profile"], Now, Ct);
        await consents.GrantAsync("sub", "web", ["email"], Now, Ct);
        await consents.GrantAsync("sub", "other", ["openid"], Now, Ct);

        Assert.Equal(["email", "openid", "profile"], (await consents.GrantedScopesAsync("sub", "web", Ct)).Order());
        Assert.Equal(["openid"], await consents.GrantedScopesAsync("sub", "other", Ct));
        Assert.Empty(await consents.GrantedScopesAsync("someone-else", "web", Ct));
    }

    [Fact]
    public async Task PushedRequests_FoundOnlyByTheirClient_BeforeExpiry_AndUsedUpOnce()
    {
        var pushed = new PushedAuthorizationRequestStore(Contexts);
        await pushed.AddAsync(new PushedAuthorizationRequestRecord { Hash = "p1", ClientId = "web", Parameters = "{}", ExpiresAt = Now + 90 }, Ct);

        Assert.NotNull(await pushed.FindAsync("p1", "web", Now, Ct));
        Assert.Null(await pushed.FindAsync("p1", "other", Now, Ct));
        Assert.Null(await pushed.FindAsync("p1", "web", Now + 90, Ct));
        await pushed.DeleteAsync("p1", Ct);
        Assert.Null(await pushed.FindAsync("p1", "web", Now, Ct));
    }

    [Fact]
    public async Task ExpiredCodesSessionsRefreshTokensAndPushedRequests_AreDeleted_LiveOnesKept()
    {
        var codes = new AuthorizationCodeStore(Contexts);
        var refresh = new RefreshTokenStore(Contexts);
        var sessions = new SessionStore(Contexts);
        var pushed = new PushedAuthorizationRequestStore(Contexts);
        await codes.AddAsync(Code("old"), Ct);
        await codes.AddAsync(Code("new", lifetime: 120), Ct);
        await refresh.AddAsync(Refresh("r-old", "g", "s"), Ct);
        await sessions.AddAsync(new UserSessionRecord { Hash = "h", SessionId = "s", Subject = "sub", Amr = "pwd", ExpiresAt = Now + 10 }, Ct);
        await pushed.AddAsync(new PushedAuthorizationRequestRecord { Hash = "p", ClientId = "web", Parameters = "{}", ExpiresAt = Now + 10 }, Ct);

        Assert.Equal(0, await DeleteExpiredAsync(Now + 9, 10));
        Assert.Equal(2, await DeleteExpiredAsync(Now + 10, 10)); // the session and the pushed request
        Assert.Equal(1, await DeleteExpiredAsync(Now + 60, 10)); // the old code
        Assert.Equal(CodeRedemption.Redeemed, (await codes.RedeemAsync("new", Now, Ct)).Outcome);
        Assert.Equal(2, await DeleteExpiredAsync(Now + 3600, 10)); // the redeemed code and the refresh token
        Assert.Equal(0, await DeleteExpiredAsync(Now + 3600, 10));
    }
}
