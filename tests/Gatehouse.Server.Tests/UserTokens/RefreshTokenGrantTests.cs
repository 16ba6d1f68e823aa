using System.Net;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Token;
using Gatehouse.Server.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;
using static Gatehouse.Server.Tests.UserTokens.UserTokenHost;

namespace Gatehouse.Server.Tests.UserTokens;

/// <summary>RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2).</summary>
public class RefreshTokenGrantTests : IAsyncLifetime
{
    private UserTokenHost _host = null!;

    public async Task InitializeAsync() => _host = await UserTokenHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string RefreshTokenOf(System.Text.Json.JsonElement json) => json.GetProperty("refresh_token").GetString()!;

    private async Task<bool> IsActiveAsync(string accessToken) =>
        (await JsonAsync(await IntrospectAsync(_host.Client, accessToken))).GetProperty("active").GetBoolean();

    [Fact]
    public async Task Refresh_Valid_RotatesAndIssuesNewTokensOfTheSameGrant()
    {
        var signIn = await _host.SignInAsync();
        var first = RefreshTokenOf(signIn);
        var before = await _host.Get<RefreshTokenStore>().FindAsync(TokenHash.Sha256(first), CancellationToken.None);
        _host.Host.Time.Advance(TimeSpan.FromHours(1));

        var response = await _host.RefreshAsync(first);
        var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.NoStore);
        var second = RefreshTokenOf(json);
        Assert.NotEqual(first, second);
        Assert.Equal("openid profile email appointments", json.GetProperty("scope").GetString());
        var store = _host.Get<RefreshTokenStore>();
        var rotated = await store.FindAsync(TokenHash.Sha256(first), CancellationToken.None);
        var next = await store.FindAsync(TokenHash.Sha256(second), CancellationToken.None);
        Assert.NotNull(rotated!.RotatedAt);
        Assert.Equal(before!.GrantId, next!.GrantId);
        Assert.Equal(before.SessionId, next.SessionId);
        Assert.Equal(before.Scope, next.Scope);
        Assert.Equal(before.AuthTime, next.AuthTime);
        Assert.Equal(before.Amr, next.Amr);
        // A fresh RefreshTokenLifetime (1 day by default) from the rotation.
        Assert.Equal(_host.Now + 86400, next.ExpiresAt);
        Assert.True(await IsActiveAsync(json.GetProperty("access_token").GetString()!));
        // The new token works in turn.
        Assert.Equal(HttpStatusCode.OK, (await _host.RefreshAsync(second)).StatusCode);
    }

    [Fact]
    public async Task Refresh_NewIdToken_KeepsAuthTimeAndHasNoNonce()
    {
        var signIn = await _host.SignInAsync();
        var original = new JsonWebToken(signIn.GetProperty("id_token").GetString()!);
        _host.Host.Time.Advance(TimeSpan.FromMinutes(10));

        var json = await JsonAsync(await _host.RefreshAsync(RefreshTokenOf(signIn)));
        var refreshed = new JsonWebToken(json.GetProperty("id_token").GetString()!);

        // OIDC Core §12.2: same iss, sub, aud and auth_time; nonce is not sent again.
        Assert.Equal(original.Issuer, refreshed.Issuer);
        Assert.Equal(original.Subject, refreshed.Subject);
        Assert.Equal(original.Audiences, refreshed.Audiences);
        Assert.Equal(original.GetPayloadValue<long>("auth_time"), refreshed.GetPayloadValue<long>("auth_time"));
        Assert.True(original.TryGetPayloadValue<string>("nonce", out _));
        Assert.False(refreshed.TryGetPayloadValue<string>("nonce", out _));
        Assert.True(refreshed.IssuedAt > original.IssuedAt);
    }

    [Fact]
    public async Task Refresh_ReuseOfRotatedToken_RevokesTheFamilyAndItsAccessTokens()
    {
        var signIn = await _host.SignInAsync();
        var first = RefreshTokenOf(signIn);
        var rotated = await JsonAsync(await _host.RefreshAsync(first));
        var current = RefreshTokenOf(rotated);
        var accessTokens = new[] { signIn.GetProperty("access_token").GetString()!, rotated.GetProperty("access_token").GetString()! };
        var otherGrant = await _host.SignInAsync();

        await AssertErrorAsync(await _host.RefreshAsync(first), "invalid_grant");

        // The legitimate client's current token is gone too (RFC 9700 §4.14.2), and so are the grant's access tokens.
        await AssertErrorAsync(await _host.RefreshAsync(current), "invalid_grant");
        foreach (var token in accessTokens)
            Assert.False(await IsActiveAsync(token));
        Assert.True(await IsActiveAsync(otherGrant.GetProperty("access_token").GetString()!));
        Assert.Equal(HttpStatusCode.OK, (await _host.RefreshAsync(RefreshTokenOf(otherGrant))).StatusCode);
    }

    [Fact]
    public async Task Refresh_ScopeSubset_AccessTokenGetsTheSubsetRefreshKeepsTheGrant()
    {
        var signIn = await _host.SignInAsync();

        var response = await _host.RefreshAsync(RefreshTokenOf(signIn), scope: "appointments");
        var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("appointments", json.GetProperty("scope").GetString());
        Assert.False(json.TryGetProperty("id_token", out _)); // openid not asked for this time
        var next = await _host.Get<RefreshTokenStore>().FindAsync(TokenHash.Sha256(RefreshTokenOf(json)), CancellationToken.None);
        Assert.Equal("openid profile email appointments", next!.Scope);
        var again = await JsonAsync(await _host.RefreshAsync(RefreshTokenOf(json)));
        Assert.Equal("openid profile email appointments", again.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("records")]           // allowed for no one in this grant
    [InlineData("openid appointments records")]
    [InlineData("gatehouse.admin")]
    public async Task Refresh_ScopeBeyondTheGrant_InvalidScope(string scope)
    {
        var signIn = await _host.SignInAsync(scope: "openid appointments");
        await AssertErrorAsync(await _host.RefreshAsync(RefreshTokenOf(signIn), scope: scope), "invalid_scope");
        // The refused request did not use the token up.
        Assert.Equal(HttpStatusCode.OK, (await _host.RefreshAsync(RefreshTokenOf(signIn))).StatusCode);
    }

    [Fact]
    public async Task Refresh_TokenOfAnotherClient_InvalidGrant()
    {
        var signIn = await _host.SignInAsync("native", "openid profile");
        await AssertErrorAsync(await _host.RefreshAsync(RefreshTokenOf(signIn), "web"), "invalid_grant");
    }

    [Fact]
    public async Task Refresh_Expired_InvalidGrant()
    {
        var signIn = await _host.SignInAsync();
        _host.Host.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await AssertErrorAsync(await _host.RefreshAsync(RefreshTokenOf(signIn)), "invalid_grant");
    }

    [Fact]
    public async Task Refresh_Unknown_InvalidGrant() =>
        await AssertErrorAsync(await _host.RefreshAsync(OpaqueToken.Create()), "invalid_grant");

    [Fact]
    public async Task Refresh_Missing_InvalidRequest()
    {
        var response = await _host.Client.SendAsync(Form("/token", Basic("web", WebSecret), ("grant_type", "refresh_token")));
        await AssertErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task Refresh_UserDisabled_InvalidGrant()
    {
        var signIn = await _host.SignInAsync();
        await _host.Get<UserStore>().SetEnabledAsync(_host.Alice.Subject, false, CancellationToken.None);
        await AssertErrorAsync(await _host.RefreshAsync(RefreshTokenOf(signIn)), "invalid_grant");
    }

    [Fact]
    public async Task Refresh_UserDeleted_InvalidGrant()
    {
        var signIn = await _host.SignInAsync();
        await _host.DeleteUserAsync(_host.Alice.Subject);
        await AssertErrorAsync(await _host.RefreshAsync(RefreshTokenOf(signIn)), "invalid_grant");
    }

    [Fact]
    public async Task Refresh_ClientWithoutRefreshGrant_UnauthorizedClient()
    {
        var response = await _host.Client.SendAsync(Form("/token", Basic("other", OtherSecret),
            ("grant_type", "refresh_token"), ("refresh_token", OpaqueToken.Create())));
        await AssertErrorAsync(response, "unauthorized_client");
    }

    [Fact]
    public async Task Refresh_ConcurrentUseOfOneToken_ExactlyOneSucceeds()
    {
        var token = RefreshTokenOf(await _host.SignInAsync());

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _host.RefreshAsync(token)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var failed in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            await AssertErrorAsync(failed, "invalid_grant");
    }

    [Fact]
    public async Task Revoke_RefreshToken_RevokesItsFamilyAndAccessTokens()
    {
        var signIn = await _host.SignInAsync();
        var otherGrant = await _host.SignInAsync();

        var response = await _host.Client.SendAsync(Form("/revoke", Basic("web", WebSecret), ("token", RefreshTokenOf(signIn)), ("token_type_hint", "refresh_token")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertErrorAsync(await _host.RefreshAsync(RefreshTokenOf(signIn)), "invalid_grant");
        Assert.False(await IsActiveAsync(signIn.GetProperty("access_token").GetString()!));
        Assert.True(await IsActiveAsync(otherGrant.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Revoke_RefreshTokenOfAnotherClient_RefusedAndStillUsable()
    {
        var signIn = await _host.SignInAsync("native", "openid profile");

        var response = await _host.Client.SendAsync(Form("/revoke", Basic("web", WebSecret), ("token", RefreshTokenOf(signIn))));

        await AssertErrorAsync(response, "unauthorized_client");
        Assert.Equal(HttpStatusCode.OK, (await _host.RefreshAsync(RefreshTokenOf(signIn), "native")).StatusCode);
    }
}
