using System.Net;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Authentication.AuthenticationHost;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>The single sign-on session: prompt (OIDC Core §3.1.2.1, §3.1.2.6), max_age, and what a session holds.</summary>
public class SessionTests : IAsyncLifetime
{
    private AuthenticationHost _host = null!;

    public async Task InitializeAsync() => _host = await AuthenticationHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string SpaUrl(params (string Name, string? Value)[] changes) =>
        AuthorizeUrl([("client_id", "spa"), ("redirect_uri", SpaRedirect), ("scope", "openid"), .. changes]);

    private async Task<Browser> SignedInBrowserAsync()
    {
        var browser = _host.NewBrowser();
        Assert.StartsWith(SpaRedirect + "?code=", (await browser.AuthorizeAsync(SpaUrl())).ToString());
        return browser;
    }

    [Fact]
    public async Task PromptNone_NoSession_RedirectsLoginRequired()
    {
        using var browser = _host.NewBrowser();
        var query = QueryOf(Location(await browser.GetAsync(SpaUrl(("prompt", "none")))));
        Assert.Equal("login_required", query["error"]);
        Assert.Equal("state-123", query["state"]);
        Assert.Equal(GatehouseTestHost.Issuer, query["iss"]);
    }

    [Fact]
    public async Task PromptNone_WithSession_IssuesCodeWithoutPages()
    {
        using var browser = await SignedInBrowserAsync();
        var location = Location(await browser.GetAsync(SpaUrl(("prompt", "none"))));
        Assert.StartsWith(SpaRedirect + "?code=", location.ToString());
    }

    [Fact]
    public async Task PromptNone_ConsentMissing_RedirectsConsentRequired()
    {
        using var browser = await SignedInBrowserAsync();
        var query = QueryOf(Location(await browser.GetAsync(AuthorizeUrl(("prompt", "none")))));
        Assert.Equal("consent_required", query["error"]);
    }

    [Fact]
    public async Task PromptNone_MaxAgeExceeded_RedirectsLoginRequired()
    {
        using var browser = await SignedInBrowserAsync();
        _host.Host.Time.Advance(TimeSpan.FromMinutes(10));
        var query = QueryOf(Location(await browser.GetAsync(SpaUrl(("prompt", "none"), ("max_age", "300")))));
        Assert.Equal("login_required", query["error"]);
    }

    [Fact]
    public async Task MaxAge_OlderAuthentication_ForcesSignInAndCodeCarriesNewAuthTime()
    {
        using var browser = await SignedInBrowserAsync();
        _host.Host.Time.Advance(TimeSpan.FromMinutes(10));

        // Within max_age: no login page.
        Assert.StartsWith(SpaRedirect, Location(await browser.GetAsync(SpaUrl(("max_age", "3600")))).ToString());

        var response = await browser.GetAsync(SpaUrl(("max_age", "300")));
        var login = Location(response).OriginalString;
        Assert.StartsWith("/login?returnUrl=", login);
        var code = QueryOf(Location(await browser.SignInAsync(login)))["code"];
        Assert.Equal(_host.Now, (await _host.RedeemAsync(code)).AuthTime);
    }

    [Fact]
    public async Task MaxAgeZero_AlwaysSignsInOnce()
    {
        using var browser = await SignedInBrowserAsync();
        _host.Host.Time.Advance(TimeSpan.FromSeconds(5));
        var login = Location(await browser.GetAsync(SpaUrl(("max_age", "0")))).OriginalString;
        Assert.StartsWith("/login?", login);
        Assert.StartsWith(SpaRedirect + "?code=", Location(await browser.SignInAsync(login)).ToString());
    }

    [Fact]
    public async Task PromptLogin_WithSession_ShowsLoginThenIssuesCode()
    {
        using var browser = await SignedInBrowserAsync();
        var before = browser.Session;
        var login = Location(await browser.GetAsync(SpaUrl(("prompt", "login")))).OriginalString;
        Assert.StartsWith("/login?returnUrl=", login);
        Assert.StartsWith(SpaRedirect + "?code=", Location(await browser.SignInAsync(login)).ToString());
        Assert.NotEqual(before, browser.Session);
    }

    [Fact]
    public async Task Session_Expired_SignInAgain()
    {
        using var browser = await SignedInBrowserAsync();
        _host.Host.Time.Advance(TimeSpan.FromHours(8) + TimeSpan.FromSeconds(1));
        Assert.StartsWith("/login?", Location(await browser.GetAsync(SpaUrl())).OriginalString);
    }

    [Fact]
    public async Task Session_UserDisabled_NoLongerSignedIn()
    {
        using var browser = await SignedInBrowserAsync();
        await _host.Users.SetEnabledAsync(_host.AliceSubject, false, CancellationToken.None);
        Assert.Equal("login_required", QueryOf(Location(await browser.GetAsync(SpaUrl(("prompt", "none")))))["error"]);
    }

    [Fact]
    public async Task Session_StoreKeepsOnlyTheCookieHash()
    {
        using var browser = await SignedInBrowserAsync();
        var cookie = browser.Session!;
        var sessions = _host.Service<SessionStore>();
        Assert.NotNull(await sessions.FindActiveAsync(Protocol.Tokens.TokenHash.Sha256(cookie), _host.Now, CancellationToken.None));
        Assert.Null(await sessions.FindActiveAsync(cookie, _host.Now, CancellationToken.None));
    }

    [Fact]
    public async Task Session_CodesOfOneSessionShareSidAndDifferInGrant()
    {
        using var browser = await SignedInBrowserAsync();
        var first = await _host.RedeemAsync(QueryOf(Location(await browser.GetAsync(SpaUrl())))["code"]);
        var second = await _host.RedeemAsync(QueryOf(Location(await browser.GetAsync(SpaUrl())))["code"]);
        Assert.Equal(first.SessionId, second.SessionId);
        Assert.NotEqual(first.GrantId, second.GrantId);
    }

    [Fact]
    public async Task Session_ForgedCookie_Ignored()
    {
        using var browser = _host.NewBrowser();
        browser.Cookies.Add(new Uri("http://localhost/"), new Cookie("gatehouse.session", Protocol.Tokens.OpaqueToken.Create()));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(SpaUrl())).StatusCode);
        Assert.Equal("login_required", QueryOf(Location(await browser.GetAsync(SpaUrl(("prompt", "none")))))["error"]);
    }
}
