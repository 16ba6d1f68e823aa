using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tests.Hosting;
using Gatehouse.Server.Token;
using Gatehouse.Server.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.UserTokens;

/// <summary>An authorization code as the authentication role would have created it, with the verifier only the client knows.</summary>
public sealed record IssuedCode(string Code, string Verifier, AuthorizationCodeRecord Record);

/// <summary>
/// A test host with OIDC scopes, user-facing clients and a user, and helpers that prepare the authentication role's
/// half (users, authorization codes) directly through the stores.
/// </summary>
public sealed class UserTokenHost : IAsyncDisposable
{
    public const string WebSecret = "web-secret-0123456789abcdefghijklmnopqrstuv";
    public const string OtherSecret = "other-secret-0123456789abcdefghijklmnopqrs";
    public const string RedirectUri = "https://app.test/callback";
    public const string Api = "https://api.test";

    public GatehouseTestHost Host { get; }
    public HttpClient Client => Host.Client;
    public UserRecord Alice { get; private set; } = null!;

    private UserTokenHost(GatehouseTestHost host) => Host = host;

    public static async Task<UserTokenHost> StartAsync(Action<Dictionary<string, string?>>? amend = null)
    {
        var host = new UserTokenHost(await GatehouseTestHost.StartAsync(s =>
        {
            s["Gatehouse:Scopes:openid:Description"] = "Sign you in";
            s["Gatehouse:Scopes:profile:Claims:0"] = "name";
            s["Gatehouse:Scopes:profile:Claims:1"] = "given_name";
            s["Gatehouse:Scopes:email:Claims:0"] = "email";
            s["Gatehouse:Scopes:email:Claims:1"] = "email_verified";
            s["Gatehouse:Scopes:appointments:Claims:2"] = "roles";
            // A confidential web app: code + refresh, opaque access tokens.
            UserClient(s, "web", WebSecret, ["authorization_code", "refresh_token"], RedirectUri, WebScopes);
            s["Gatehouse:Clients:web:ClaimMappings:department"] = "dept";
            // A public native app with JWT access tokens.
            UserClient(s, "native", null, ["authorization_code", "refresh_token"], "com.example.app:/callback", ["openid", "profile"]);
            s["Gatehouse:Clients:native:AccessTokenFormat"] = "jwt";
            // Another confidential client, code only (no refresh tokens).
            UserClient(s, "other", OtherSecret, ["authorization_code"], RedirectUri, ["openid", "email"]);
            amend?.Invoke(s);
        }));
        host.Alice = await host.AddUserAsync("alice", new Dictionary<string, object>
        {
            ["name"] = "Alice Doe",
            ["given_name"] = "Alice",
            ["email"] = "alice@example.test",
            ["email_verified"] = "true",
            ["hospital"] = "st-mary",
            ["department"] = "cardiology",
            ["roles"] = new[] { "doctor", "surgeon" },
        });
        return host;
    }

    public static readonly string[] WebScopes = ["openid", "profile", "email", "appointments"];

    /// <summary>A client for user sign-in; public when <paramref name="secret"/> is null.</summary>
    private static void UserClient(Dictionary<string, string?> s, string id, string? secret, string[] grants, string redirectUri, string[] scopes)
    {
        var key = $"Gatehouse:Clients:{id}";
        if (secret is null)
            s[$"{key}:Public"] = "true";
        else
            s[$"{key}:Secret"] = secret;
        for (var i = 0; i < grants.Length; i++)
            s[$"{key}:GrantTypes:{i}"] = grants[i];
        for (var i = 0; i < scopes.Length; i++)
            s[$"{key}:Scopes:{i}"] = scopes[i];
        s[$"{key}:RedirectUris:0"] = redirectUri;
        s[$"{key}:Audience"] = Api;
    }

    public T Get<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    public long Now => Host.Time.GetUtcNow().ToUnixTimeSeconds();

    public async Task<UserRecord> AddUserAsync(string username, IReadOnlyDictionary<string, object> claims)
    {
        var user = UserSeeder.NewUser(username, null, "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", claims, Host.Time);
        Assert.True(await Get<UserStore>().TryAddAsync(user, CancellationToken.None));
        return user;
    }

    /// <summary>Gatehouse has no user deletion yet; an operator removing the row is what this stands for.</summary>
    public async Task DeleteUserAsync(string subject)
    {
        await using var db = await Get<Microsoft.EntityFrameworkCore.IDbContextFactory<GatehouseDbContext>>().CreateDbContextAsync();
        db.Users.Remove(db.Users.Single(u => u.Subject == subject));
        await db.SaveChangesAsync();
    }

    /// <summary>Stores a code for <paramref name="clientId"/> as the authorization endpoint would after sign-in and consent.</summary>
    public async Task<IssuedCode> IssueCodeAsync(string clientId = "web", string scope = "openid profile email appointments", string? nonce = "n-0S6_WzA2Mj",
        string amr = "pwd", string redirectUri = RedirectUri, UserRecord? user = null, TimeSpan? lifetime = null)
    {
        var code = OpaqueToken.Create();
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var record = new AuthorizationCodeRecord
        {
            Hash = TokenHash.Sha256(code),
            ClientId = clientId,
            RedirectUri = redirectUri,
            CodeChallenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            Subject = (user ?? Alice).Subject,
            SessionId = OpaqueToken.Create()[..22],
            Scope = scope,
            Nonce = nonce,
            AuthTime = Now - 30,
            Amr = amr,
            GrantId = OpaqueToken.Create(),
            CreatedAt = Now,
            ExpiresAt = Now + (long)(lifetime ?? TimeSpan.FromMinutes(1)).TotalSeconds,
        };
        await Get<AuthorizationCodeStore>().AddAsync(record, CancellationToken.None);
        return new IssuedCode(code, verifier, record);
    }

    public static string? AuthorizationFor(string clientId) => clientId switch
    {
        "web" => Basic("web", WebSecret),
        "other" => Basic("other", OtherSecret),
        _ => null,
    };

    /// <summary>POST /token with grant_type=authorization_code; parameters with a null value are left out.</summary>
    public Task<HttpResponseMessage> ExchangeAsync(string clientId, string? code, string? verifier, string? redirectUri = RedirectUri)
    {
        var parameters = new List<(string, string)> { ("grant_type", "authorization_code") };
        if (code is not null) parameters.Add(("code", code));
        if (verifier is not null) parameters.Add(("code_verifier", verifier));
        if (redirectUri is not null) parameters.Add(("redirect_uri", redirectUri));
        if (AuthorizationFor(clientId) is null) parameters.Add(("client_id", clientId));
        return Client.SendAsync(Form("/token", AuthorizationFor(clientId), parameters.ToArray()));
    }

    public Task<HttpResponseMessage> ExchangeAsync(IssuedCode code, string clientId = "web") =>
        ExchangeAsync(clientId, code.Code, code.Verifier, code.Record.RedirectUri);

    /// <summary>Exchanges a fresh code and returns the token response; fails the test if the exchange fails.</summary>
    public async Task<JsonElement> SignInAsync(string clientId = "web", string scope = "openid profile email appointments", string amr = "pwd")
    {
        var code = await IssueCodeAsync(clientId, scope, amr: amr, redirectUri: clientId == "native" ? "com.example.app:/callback" : RedirectUri);
        var response = await ExchangeAsync(code, clientId);
        var json = await JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json;
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, string clientId = "web", string? scope = null)
    {
        var parameters = new List<(string, string)> { ("grant_type", "refresh_token"), ("refresh_token", refreshToken) };
        if (scope is not null) parameters.Add(("scope", scope));
        if (AuthorizationFor(clientId) is null) parameters.Add(("client_id", clientId));
        return Client.SendAsync(Form("/token", AuthorizationFor(clientId), parameters.ToArray()));
    }

    public Task<HttpResponseMessage> UserinfoAsync(string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return Client.SendAsync(request);
    }

    public static async Task AssertErrorAsync(HttpResponseMessage response, string error, int status = 400)
    {
        var json = await JsonAsync(response);
        Assert.True(status == (int)response.StatusCode, $"{(int)response.StatusCode}: {json}");
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
