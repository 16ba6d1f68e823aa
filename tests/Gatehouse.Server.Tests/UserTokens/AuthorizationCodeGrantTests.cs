using System.Net;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Gatehouse.Server.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;
using static Gatehouse.Server.Tests.UserTokens.UserTokenHost;

namespace Gatehouse.Server.Tests.UserTokens;

/// <summary>RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §2.1.1/§4.5: the code is single-use and bound to client, redirect URI and PKCE.</summary>
public class AuthorizationCodeGrantTests : IAsyncLifetime
{
    private UserTokenHost _host = null!;

    public async Task InitializeAsync() => _host = await UserTokenHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Code_ValidExchange_IssuesAccessIdAndRefreshToken()
    {
        var code = await _host.IssueCodeAsync();

        var response = await _host.ExchangeAsync(code);
        var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(900, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("openid profile email appointments", json.GetProperty("scope").GetString());
        Assert.Equal(43, json.GetProperty("access_token").GetString()!.Length);
        Assert.Equal(43, json.GetProperty("refresh_token").GetString()!.Length);
        Assert.Equal(3, json.GetProperty("id_token").GetString()!.Split('.').Length);
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Code_OpaqueAccessToken_IsTheUsersWithTheirClaimsAndGrant()
    {
        var code = await _host.IssueCodeAsync(amr: "pwd otp mfa");
        var json = await JsonAsync(await _host.ExchangeAsync(code));
        var token = json.GetProperty("access_token").GetString()!;

        var record = await _host.Get<AccessTokenStore>().FindByHashAsync(Gatehouse.Protocol.Tokens.TokenHash.Sha256(token), CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(code.Record.GrantId, record.GrantId);
        Assert.Equal(_host.Alice.Subject, record.Subject);
        var jwt = new JsonWebToken(record.Jwt);
        Assert.Equal(_host.Alice.Subject, jwt.Subject);
        Assert.Equal("web", jwt.GetPayloadValue<string>("client_id"));
        Assert.Equal(Api, jwt.Audiences.Single());
        Assert.Equal("st-mary", jwt.GetPayloadValue<string>("hospital"));
        Assert.Equal("cardiology", jwt.GetPayloadValue<string>("dept")); // the client's claim mapping
        Assert.False(jwt.TryGetPayloadValue<string>("department", out _));
        Assert.Equal(["doctor", "surgeon"], jwt.GetPayloadValue<string[]>("roles"));
        Assert.Equal("Alice Doe", jwt.GetPayloadValue<string>("name"));
        Assert.Equal(code.Record.AuthTime, jwt.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd", "otp", "mfa"], jwt.GetPayloadValue<string[]>("amr"));
        Assert.Equal(AuthenticationContextClasses.Mfa, jwt.GetPayloadValue<string>("acr"));
    }

    [Fact]
    public async Task Code_PublicClientWithPkce_IssuesJwtAccessToken()
    {
        var json = await _host.SignInAsync("native", "openid profile");
        var jwt = new JsonWebToken(json.GetProperty("access_token").GetString()!);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal(_host.Alice.Subject, jwt.Subject);
        Assert.Equal("native", jwt.GetPayloadValue<string>("client_id"));
        Assert.True(json.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Code_ClientWithoutRefreshGrant_GetsNoRefreshToken()
    {
        var json = await _host.SignInAsync("other", "openid email");
        Assert.False(json.TryGetProperty("refresh_token", out _));
        Assert.True(json.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Code_WithoutOpenIdScope_GetsNoIdToken()
    {
        var json = await _host.SignInAsync("web", "appointments");
        Assert.False(json.TryGetProperty("id_token", out _));
        Assert.Equal("appointments", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Code_UsedTwice_SecondIsInvalidGrant()
    {
        var code = await _host.IssueCodeAsync();
        Assert.Equal(HttpStatusCode.OK, (await _host.ExchangeAsync(code)).StatusCode);

        await AssertErrorAsync(await _host.ExchangeAsync(code), "invalid_grant");
    }

    [Fact]
    public async Task Code_Replayed_RevokesTheAccessAndRefreshTokensIssuedFromIt()
    {
        var code = await _host.IssueCodeAsync();
        var first = await JsonAsync(await _host.ExchangeAsync(code));
        var accessToken = first.GetProperty("access_token").GetString()!;
        var refreshToken = first.GetProperty("refresh_token").GetString()!;
        // A token of another grant must survive.
        var unrelated = (await _host.SignInAsync()).GetProperty("access_token").GetString()!;
        Assert.True((await JsonAsync(await IntrospectAsync(_host.Client, accessToken))).GetProperty("active").GetBoolean());

        await AssertErrorAsync(await _host.ExchangeAsync(code), "invalid_grant");

        Assert.False((await JsonAsync(await IntrospectAsync(_host.Client, accessToken))).GetProperty("active").GetBoolean());
        await AssertErrorAsync(await _host.RefreshAsync(refreshToken), "invalid_grant");
        Assert.True((await JsonAsync(await IntrospectAsync(_host.Client, unrelated))).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Code_WrongVerifier_InvalidGrant()
    {
        var code = await _host.IssueCodeAsync();
        var other = await _host.IssueCodeAsync();
        await AssertErrorAsync(await _host.ExchangeAsync("web", code.Code, other.Verifier), "invalid_grant");
    }

    [Fact]
    public async Task Code_MissingVerifier_PkceDowngradeIsInvalidGrant()
    {
        var code = await _host.IssueCodeAsync();
        await AssertErrorAsync(await _host.ExchangeAsync("web", code.Code, verifier: null), "invalid_grant");
    }

    [Fact]
    public async Task Code_ChallengeSentAsVerifier_PlainMethodIsInvalidGrant()
    {
        var code = await _host.IssueCodeAsync();
        await AssertErrorAsync(await _host.ExchangeAsync("web", code.Code, code.Record.CodeChallenge), "invalid_grant");
    }

    [Theory]
    [InlineData("https://app.test/callback/")]
    [InlineData("https://APP.test/callback")]
    [InlineData("https://app.test/callback?x=1")]
    [InlineData("https://app.test/other")]
    [InlineData(null)]
    public async Task Code_RedirectUriNotIdentical_InvalidGrant(string? redirectUri)
    {
        var code = await _host.IssueCodeAsync();
        await AssertErrorAsync(await _host.ExchangeAsync("web", code.Code, code.Verifier, redirectUri), "invalid_grant");
    }

    [Fact]
    public async Task Code_IssuedToAnotherClient_InvalidGrant()
    {
        var code = await _host.IssueCodeAsync(clientId: "web");
        await AssertErrorAsync(await _host.ExchangeAsync("other", code.Code, code.Verifier), "invalid_grant");
    }

    [Fact]
    public async Task Code_Expired_InvalidGrant()
    {
        var code = await _host.IssueCodeAsync();
        _host.Host.Time.Advance(TimeSpan.FromSeconds(61));
        await AssertErrorAsync(await _host.ExchangeAsync(code), "invalid_grant");
    }

    [Fact]
    public async Task Code_Unknown_InvalidGrant() =>
        await AssertErrorAsync(await _host.ExchangeAsync("web", Gatehouse.Protocol.Tokens.OpaqueToken.Create(), new string('a', 43)), "invalid_grant");

    [Fact]
    public async Task Code_EveryFailure_HasTheSameDescription()
    {
        var expired = await _host.IssueCodeAsync(lifetime: TimeSpan.FromSeconds(5));
        _host.Host.Time.Advance(TimeSpan.FromSeconds(6));
        var wrongClient = await _host.IssueCodeAsync(clientId: "other");
        var wrongVerifier = await _host.IssueCodeAsync();
        var responses = new[]
        {
            await _host.ExchangeAsync(expired),
            await _host.ExchangeAsync("web", wrongClient.Code, wrongClient.Verifier),
            await _host.ExchangeAsync("web", wrongVerifier.Code, expired.Verifier),
            await _host.ExchangeAsync("web", Gatehouse.Protocol.Tokens.OpaqueToken.Create(), expired.Verifier),
        };
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Single(bodies.Distinct());
    }

    [Fact]
    public async Task Code_MissingCode_InvalidRequest() =>
        await AssertErrorAsync(await _host.ExchangeAsync("web", code: null, new string('a', 43)), "invalid_request");

    [Fact]
    public async Task Code_ClientWithoutCodeGrant_UnauthorizedClient()
    {
        var code = await _host.IssueCodeAsync(clientId: "service");
        var response = await _host.Client.SendAsync(Form("/token", Basic("service", Hosting.GatehouseTestHost.ServiceSecret),
            ("grant_type", "authorization_code"), ("code", code.Code), ("code_verifier", code.Verifier), ("redirect_uri", RedirectUri)));
        await AssertErrorAsync(response, "unauthorized_client");
    }

    [Fact]
    public async Task Code_UserDisabledSinceSignIn_InvalidGrant()
    {
        var code = await _host.IssueCodeAsync();
        await _host.Get<UserStore>().SetEnabledAsync(_host.Alice.Subject, false, CancellationToken.None);
        await AssertErrorAsync(await _host.ExchangeAsync(code), "invalid_grant");
    }

    [Fact]
    public async Task Code_UserDeletedSinceSignIn_InvalidGrant()
    {
        var bob = await _host.AddUserAsync("bob", new Dictionary<string, object>());
        var code = await _host.IssueCodeAsync(user: bob);
        await DeleteUserAsync(bob.Subject);
        await AssertErrorAsync(await _host.ExchangeAsync(code), "invalid_grant");
    }

    private Task DeleteUserAsync(string subject) => _host.DeleteUserAsync(subject);
}
