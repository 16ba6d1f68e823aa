using System.Net;
using System.Security.Cryptography;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tests.Hosting;
using Gatehouse.Server.Token;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Gatehouse.Server.Tests.Authentication.AuthenticationHost;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>OpenID Connect RP-Initiated Logout 1.0.</summary>
public class LogoutTests : IAsyncLifetime
{
    private AuthenticationHost _host = null!;

    public async Task InitializeAsync() => _host = await AuthenticationHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Signs in through the web client and returns the code record (its session id and grant).</summary>
    private async Task<(Browser Browser, AuthorizationCodeRecord Code)> SignedInAsync()
    {
        var browser = _host.NewBrowser();
        var location = await browser.AuthorizeAsync(AuthorizeUrl());
        return (browser, await _host.RedeemAsync(QueryOf(location)["code"]));
    }

    /// <summary>An ID token as the token service issues it (typ JWT, aud = client), expired unless told otherwise.</summary>
    private string IdToken(string subject, string audience = "web", SigningCredentials? credentials = null, string issuer = GatehouseTestHost.Issuer)
    {
        var now = _host.Host.Time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = subject },
            IssuedAt = now.AddHours(-2),
            NotBefore = now.AddHours(-2),
            Expires = now.AddHours(-1),
            SigningCredentials = credentials ?? _host.Service<SigningKeyRing>().Current,
        });
    }

    private static string LogoutUrl(params (string Name, string Value)[] parameters) =>
        "/logout?" + string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

    [Fact]
    public async Task Logout_ValidExpiredIdTokenHint_EndsSessionAndRedirectsWithState()
    {
        var (browser, code) = await SignedInAsync();
        using var _ = browser;
        var response = await browser.GetAsync(LogoutUrl(("id_token_hint", IdToken(_host.AliceSubject)),
            ("post_logout_redirect_uri", WebSignedOut), ("state", "bye")));
        Assert.Equal(WebSignedOut + "?state=bye", Location(response).ToString());
        Assert.Null(browser.Session);
        Assert.Equal("login_required", QueryOf(Location(await browser.GetAsync(AuthorizeUrl(("prompt", "none")))))["error"]);
    }

    [Fact]
    public async Task Logout_RevokesRefreshTokensAndTheirAccessTokens()
    {
        var (browser, code) = await SignedInAsync();
        using var _ = browser;
        // What the token service would have issued from the code.
        var refresh = new RefreshTokenRecord
        {
            Hash = "refresh-hash", GrantId = code.GrantId, ClientId = "web", Subject = code.Subject, SessionId = code.SessionId,
            Scope = code.Scope, AuthTime = code.AuthTime, Amr = code.Amr, IssuedAt = _host.Now, ExpiresAt = _host.Now + 3600,
        };
        await _host.Service<RefreshTokenStore>().AddAsync(refresh, CancellationToken.None);
        await _host.Service<AccessTokenStore>().AddAsync(new AccessTokenRecord
        {
            Hash = "access-hash", ClientId = "web", Jwt = "x.y.z", ExpiresAt = _host.Now + 900, GrantId = code.GrantId,
        }, CancellationToken.None);

        var cookie = browser.Session!;
        await browser.PostAsync("/logout", ("id_token_hint", IdToken(_host.AliceSubject)));

        Assert.NotNull((await _host.Service<RefreshTokenStore>().FindAsync("refresh-hash", CancellationToken.None))!.RevokedAt);
        Assert.NotNull((await _host.Service<AccessTokenStore>().FindByHashAsync("access-hash", CancellationToken.None))!.RevokedAt);
        Assert.Null(await _host.Service<SessionStore>().FindActiveAsync(Protocol.Tokens.TokenHash.Sha256(cookie), _host.Now, CancellationToken.None));
    }

    [Fact]
    public async Task Logout_WithoutHint_AsksForConfirmation()
    {
        var (browser, _) = await SignedInAsync();
        using var b = browser;
        var (response, html) = await browser.GetPageAsync(LogoutUrl(("client_id", "web"), ("post_logout_redirect_uri", WebSignedOut), ("state", "s1")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<button type=\"submit\">Sign out</button>", html);
        Assert.NotNull(browser.Session);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());

        // A cross-site post without the page's antiforgery token does nothing.
        var forged = await browser.PostAsync("/logout?handler=confirm", ("client_id", "web"));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.NotNull(browser.Session);

        var confirmed = await browser.SubmitAsync("/logout?handler=confirm", html);
        Assert.Equal(WebSignedOut + "?state=s1", Location(confirmed).ToString());
        Assert.Null(browser.Session);
    }

    /// <summary>An untrusted hint: the user is asked, and stays signed in until they confirm.</summary>
    private async Task AssertConfirmationAsked(string idTokenHint)
    {
        var (browser, _) = await SignedInAsync();
        using var b = browser;
        var (response, html) = await browser.GetPageAsync(LogoutUrl(("id_token_hint", idTokenHint), ("post_logout_redirect_uri", WebSignedOut)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("Sign out?", html);
        Assert.NotNull(browser.Session);
    }

    [Fact]
    public async Task Logout_HintFromForeignKey_NotTrusted() =>
        await AssertConfirmationAsked(IdToken(_host.AliceSubject,
            credentials: new SigningCredentials(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "foreign" }, "ES256")));

    [Fact]
    public async Task Logout_HintFromOtherIssuer_NotTrusted() =>
        await AssertConfirmationAsked(IdToken(_host.AliceSubject, issuer: "https://other.test"));

    [Fact]
    public async Task Logout_HintForAnotherUser_AsksForConfirmation() =>
        await AssertConfirmationAsked(IdToken("someone-else"));

    [Fact]
    public async Task Logout_AccessTokenAsHint_NotAnIdToken() =>
        await AssertConfirmationAsked(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = GatehouseTestHost.Issuer, Audience = "web", TokenType = AccessTokenIssuer.AccessTokenType,
            Claims = new Dictionary<string, object> { ["sub"] = _host.AliceSubject },
            SigningCredentials = _host.Service<SigningKeyRing>().Current,
        }));

    [Theory]
    [InlineData("https://evil.test/")]
    [InlineData("https://web.test/signed-out/")]
    [InlineData("https://web.test/callback")]
    public async Task Logout_UnregisteredPostLogoutRedirectUri_NeverRedirects(string target)
    {
        var (browser, _) = await SignedInAsync();
        using var b = browser;
        var (response, html) = await browser.GetPageAsync(LogoutUrl(("id_token_hint", IdToken(_host.AliceSubject)), ("post_logout_redirect_uri", target)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("You have signed out", html);
        Assert.Null(browser.Session);
    }

    [Fact]
    public async Task Logout_ClientIdNotAnAudienceOfHint_NoRedirect()
    {
        var (browser, _) = await SignedInAsync();
        using var b = browser;
        var (response, _) = await browser.GetPageAsync(LogoutUrl(("id_token_hint", IdToken(_host.AliceSubject)), ("client_id", "spa"),
            ("post_logout_redirect_uri", WebSignedOut)));
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Logout_NoSession_ShowsSignedOut()
    {
        using var browser = _host.NewBrowser();
        var (response, html) = await browser.GetPageAsync("/logout");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You have signed out", html);
    }

    [Fact]
    public async Task Logout_PostWithoutForm_AnsweredWithoutError()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.Http.PostAsync("/logout", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
