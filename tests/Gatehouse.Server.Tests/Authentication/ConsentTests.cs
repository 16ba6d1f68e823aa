using System.Net;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Authentication.AuthenticationHost;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>The consent page (OIDC Core §3.1.2.4).</summary>
public class ConsentTests : IAsyncLifetime
{
    private AuthenticationHost _host = null!;

    public async Task InitializeAsync() => _host = await AuthenticationHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(Browser Browser, string ConsentUrl)> AtConsentAsync(string authorizeUrl)
    {
        var browser = _host.NewBrowser();
        var login = Location(await browser.GetAsync(authorizeUrl)).OriginalString;
        var consent = Location(await browser.SignInAsync(login)).OriginalString;
        Assert.StartsWith("/consent?returnUrl=", consent);
        return (browser, consent);
    }

    [Fact]
    public async Task Consent_Page_ListsScopesWithDescriptionsAndClientName()
    {
        var (browser, consent) = await AtConsentAsync(AuthorizeUrl(("scope", "openid profile")));
        using var _ = browser;
        var (response, html) = await browser.GetPageAsync(consent);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>Allow Web Portal to access your account?</h1>", html);
        Assert.Contains("<strong>openid</strong>: Sign you in", html);
        Assert.Contains("<strong>profile</strong>: Your name", html);
        Assert.Contains("<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>", html);
        Assert.Contains("<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>", html);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Consent_Deny_RedirectsAccessDenied()
    {
        var (browser, consent) = await AtConsentAsync(AuthorizeUrl());
        using var _ = browser;
        var (_, html) = await browser.GetPageAsync(consent);
        var query = QueryOf(Location(await browser.SubmitAsync(consent, html, ("decision", "deny"))));
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal("state-123", query["state"]);
        Assert.Equal(GatehouseTestHost.Issuer, query["iss"]);
    }

    [Fact]
    public async Task Consent_Allow_RememberedForTheSameScopes()
    {
        var (browser, consent) = await AtConsentAsync(AuthorizeUrl(("scope", "openid profile")));
        using var _ = browser;
        var (_, html) = await browser.GetPageAsync(consent);
        Assert.StartsWith(WebRedirect + "?code=", Location(await browser.SubmitAsync(consent, html, ("decision", "allow"))).ToString());

        // Same or fewer scopes: no consent page; more scopes: asked again; prompt=consent: asked again.
        Assert.StartsWith(WebRedirect + "?code=", Location(await browser.GetAsync(AuthorizeUrl(("scope", "openid")))).ToString());
        Assert.StartsWith("/consent?", Location(await browser.GetAsync(AuthorizeUrl(("scope", "openid appointments")))).OriginalString);
        Assert.StartsWith("/consent?", Location(await browser.GetAsync(AuthorizeUrl(("scope", "openid"), ("prompt", "consent")))).OriginalString);
        Assert.Equal(["openid", "profile"], (await _host.Service<ConsentStore>().GrantedScopesAsync(_host.AliceSubject, "web", CancellationToken.None)).Order());
    }

    [Fact]
    public async Task Consent_PostWithoutAntiforgeryToken_Refused()
    {
        var (browser, consent) = await AtConsentAsync(AuthorizeUrl());
        using var _ = browser;
        var returnUrl = AuthenticationHost.QueryOf(new Uri("https://x" + consent))["returnUrl"];
        var response = await browser.PostAsync(consent, ("returnUrl", returnUrl), ("decision", "allow"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Consent_WithoutSession_GoesToLogin()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.GetAsync("/consent?returnUrl=" + Uri.EscapeDataString(AuthorizeUrl()));
        Assert.StartsWith("/login?returnUrl=", Location(response).OriginalString);
    }

    [Fact]
    public async Task Consent_FirstPartyClient_Skipped()
    {
        using var browser = _host.NewBrowser();
        var login = Location(await browser.GetAsync(AuthorizeUrl(("client_id", "spa"), ("redirect_uri", SpaRedirect), ("scope", "openid")))).OriginalString;
        Assert.StartsWith(SpaRedirect + "?code=", Location(await browser.SignInAsync(login)).ToString());
    }
}
