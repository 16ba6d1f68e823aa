using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Server.Users;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.UserTokens;

/// <summary>OIDC Core §5.3 with RFC 6750 errors: claims by the token's scopes, from the user's current attributes.</summary>
public class UserinfoTests : IAsyncLifetime
{
    private UserTokenHost _host = null!;

    public async Task InitializeAsync() => _host = await UserTokenHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> AccessTokenAsync(string clientId = "web", string scope = "openid profile email appointments") =>
        (await _host.SignInAsync(clientId, scope)).GetProperty("access_token").GetString()!;

    private static async Task AssertChallengeAsync(HttpResponseMessage response, HttpStatusCode status, string? error)
    {
        Assert.Equal(status, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.Single();
        Assert.Equal("Bearer", challenge.Scheme);
        if (error is null)
            Assert.DoesNotContain("error=", challenge.Parameter);
        else
            Assert.Contains($"error=\"{error}\"", challenge.Parameter);
        if (error is not null)
            Assert.Equal(error, (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Userinfo_AllScopes_ReturnsSubAndReleasedClaims()
    {
        var response = await _host.UserinfoAsync(await AccessTokenAsync());
        var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(_host.Alice.Subject, json.GetProperty("sub").GetString());
        Assert.Equal("Alice Doe", json.GetProperty("name").GetString());
        Assert.Equal("Alice", json.GetProperty("given_name").GetString());
        Assert.Equal("alice@example.test", json.GetProperty("email").GetString());
        Assert.Equal("st-mary", json.GetProperty("hospital").GetString());
        Assert.Equal("cardiology", json.GetProperty("dept").GetString()); // the client's claim mapping
        Assert.Equal(["doctor", "surgeon"], json.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Userinfo_OpenIdOnly_ReturnsSubAlone()
    {
        var json = await JsonAsync(await _host.UserinfoAsync(await AccessTokenAsync(scope: "openid")));
        Assert.Equal(["sub"], json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Userinfo_EmailScope_ReleasesOnlyEmailClaims()
    {
        var json = await JsonAsync(await _host.UserinfoAsync(await AccessTokenAsync("other", "openid email")));
        Assert.Equal(["sub", "email", "email_verified"], json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Userinfo_JwtAccessToken_Accepted()
    {
        var response = await _host.UserinfoAsync(await AccessTokenAsync("native", "openid profile"));
        var json = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Alice Doe", json.GetProperty("name").GetString());
        Assert.False(json.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task Userinfo_Post_TokenInHeaderOrFormBody()
    {
        var token = await AccessTokenAsync();
        var header = new HttpRequestMessage(HttpMethod.Post, "/userinfo");
        header.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.SendAsync(header)).StatusCode);

        var body = await _host.Client.SendAsync(Form("/userinfo", null, ("access_token", token)));
        Assert.Equal(HttpStatusCode.OK, body.StatusCode);
        Assert.Equal(_host.Alice.Subject, (await JsonAsync(body)).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Userinfo_TokenInQuery_NotAccepted()
    {
        var response = await _host.Client.GetAsync("/userinfo?access_token=" + await AccessTokenAsync());
        await AssertChallengeAsync(response, HttpStatusCode.Unauthorized, null);
    }

    [Fact]
    public async Task Userinfo_TokenInHeaderAndBody_InvalidRequest()
    {
        var token = await AccessTokenAsync();
        var request = Form("/userinfo", "Bearer " + token, ("access_token", token));
        await AssertChallengeAsync(await _host.Client.SendAsync(request), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Userinfo_NoToken_401WithoutErrorCode() =>
        await AssertChallengeAsync(await _host.Client.GetAsync("/userinfo"), HttpStatusCode.Unauthorized, null);

    [Fact]
    public async Task Userinfo_UnknownToken_InvalidToken() =>
        await AssertChallengeAsync(await _host.UserinfoAsync(Gatehouse.Protocol.Tokens.OpaqueToken.Create()), HttpStatusCode.Unauthorized, "invalid_token");

    [Fact]
    public async Task Userinfo_WithoutOpenIdScope_InsufficientScope()
    {
        var response = await _host.UserinfoAsync(await AccessTokenAsync(scope: "profile appointments"));
        await AssertChallengeAsync(response, HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("scope=\"openid\"", response.Headers.WwwAuthenticate.Single().Parameter);
    }

    [Fact]
    public async Task Userinfo_ClientCredentialsToken_InvalidToken()
    {
        // Even with openid among its scopes, a client's own token stands for no user.
        await using var host = await UserTokenHost.StartAsync(s =>
        {
            s["Gatehouse:Clients:service:Scopes:2"] = "openid";
        });
        var token = await TokenAsync(host.Client, "service", Hosting.GatehouseTestHost.ServiceSecret, "openid");
        await AssertChallengeAsync(await host.UserinfoAsync(token), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Userinfo_ExpiredToken_InvalidToken()
    {
        var token = await AccessTokenAsync();
        _host.Host.Time.Advance(TimeSpan.FromMinutes(16));
        await AssertChallengeAsync(await _host.UserinfoAsync(token), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Userinfo_RevokedToken_InvalidToken()
    {
        var token = await AccessTokenAsync();
        var revoke = await _host.Client.SendAsync(Form("/revoke", Basic("web", UserTokenHost.WebSecret), ("token", token)));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await AssertChallengeAsync(await _host.UserinfoAsync(token), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Userinfo_UserDisabled_InvalidToken()
    {
        var token = await AccessTokenAsync();
        await _host.Get<UserStore>().SetEnabledAsync(_host.Alice.Subject, false, CancellationToken.None);
        await AssertChallengeAsync(await _host.UserinfoAsync(token), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Userinfo_UserDeleted_InvalidToken()
    {
        var token = await AccessTokenAsync();
        await _host.DeleteUserAsync(_host.Alice.Subject);
        await AssertChallengeAsync(await _host.UserinfoAsync(token), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Userinfo_ReflectsCurrentAttributes()
    {
        var token = await AccessTokenAsync();
        await using (var db = await _host.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<Gatehouse.Server.Storage.GatehouseDbContext>>().CreateDbContextAsync())
        {
            var user = db.Users.Single(u => u.Subject == _host.Alice.Subject);
            user.Claims = UserClaims.Serialize(new Dictionary<string, object> { ["name"] = "Alice Smith", ["email"] = "alice@new.test" });
            await db.SaveChangesAsync();
        }
        var json = await JsonAsync(await _host.UserinfoAsync(token));
        Assert.Equal("Alice Smith", json.GetProperty("name").GetString());
        Assert.Equal("alice@new.test", json.GetProperty("email").GetString());
        Assert.False(json.TryGetProperty("hospital", out _));
    }
}
