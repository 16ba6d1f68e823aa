using System.Net;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Authentication.AuthenticationHost;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>The rules of the authorization endpoint (RFC 6749 §4.1, RFC 7636, RFC 9207, OIDC Core §3.1.2).</summary>
public class AuthorizationEndpointTests : IAsyncLifetime
{
    private AuthenticationHost _host = null!;

    public async Task InitializeAsync() => _host = await AuthenticationHost.StartAsync(s =>
    {
        s["Gatehouse:Clients:disabled-web:Enabled"] = "false";
        s["Gatehouse:Clients:disabled-web:Secret"] = WebSecret;
        s["Gatehouse:Clients:disabled-web:GrantTypes:0"] = "authorization_code";
        s["Gatehouse:Clients:disabled-web:RedirectUris:0"] = WebRedirect;
        s["Gatehouse:Clients:disabled-web:Audience"] = "https://api.test";
        s["Gatehouse:Clients:service:RedirectUris:0"] = WebRedirect;
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task AssertErrorPage(string url, string error) => _host.AssertErrorPageAsync(url, error);

    /// <summary>An error redirected to the client with state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2).</summary>
    private async Task<Dictionary<string, string>> AssertErrorRedirect(string url, string error)
    {
        using var browser = _host.NewBrowser();
        var location = Location(await browser.GetAsync(url));
        Assert.StartsWith(WebRedirect + "?", location.ToString());
        var query = QueryOf(location);
        Assert.Equal(error, query["error"]);
        Assert.False(string.IsNullOrEmpty(query["error_description"]));
        Assert.Equal("state-123", query["state"]);
        Assert.Equal(GatehouseTestHost.Issuer, query["iss"]);
        Assert.False(query.ContainsKey("code"));
        return query;
    }

    [Fact]
    public async Task Authorize_UnknownClient_ShowsErrorPageWithoutRedirect() =>
        await AssertErrorPage(AuthorizeUrl(("client_id", "nobody")), "invalid_request");

    [Fact]
    public async Task Authorize_DisabledClient_ShowsErrorPage() =>
        await AssertErrorPage(AuthorizeUrl(("client_id", "disabled-web")), "invalid_request");

    [Fact]
    public async Task Authorize_MissingClientId_ShowsErrorPage() =>
        await AssertErrorPage(AuthorizeUrl(("client_id", null)), "invalid_request");

    [Theory]
    [InlineData("https://web.test/callback/")]
    [InlineData("https://WEB.test/callback")]
    [InlineData("https://web.test/callback?x=1")]
    [InlineData("https://evil.test/callback")]
    public async Task Authorize_RedirectUriMismatch_ShowsErrorPageWithoutRedirect(string redirectUri) =>
        await AssertErrorPage(AuthorizeUrl(("redirect_uri", redirectUri)), "invalid_request");

    [Fact]
    public async Task Authorize_MissingRedirectUri_ShowsErrorPage() =>
        await AssertErrorPage(AuthorizeUrl(("redirect_uri", null)), "invalid_request");

    [Fact]
    public async Task Authorize_RepeatedClientId_ShowsErrorPage() =>
        await AssertErrorPage(AuthorizeUrl() + "&client_id=web", "invalid_request");

    [Fact]
    public async Task Authorize_RepeatedScope_RedirectsInvalidRequest() =>
        await AssertErrorRedirect(AuthorizeUrl() + "&scope=openid", "invalid_request");

    [Fact]
    public async Task Authorize_ResponseTypeToken_RedirectsUnsupportedResponseType() =>
        await AssertErrorRedirect(AuthorizeUrl(("response_type", "token")), "unsupported_response_type");

    [Fact]
    public async Task Authorize_MissingResponseType_RedirectsInvalidRequest() =>
        await AssertErrorRedirect(AuthorizeUrl(("response_type", null)), "invalid_request");

    [Fact]
    public async Task Authorize_ClientWithoutCodeGrant_RedirectsUnauthorizedClient() =>
        await AssertErrorRedirect(AuthorizeUrl(("client_id", "service")), "unauthorized_client");

    [Fact]
    public async Task Authorize_MissingCodeChallenge_RedirectsInvalidRequest() =>
        await AssertErrorRedirect(AuthorizeUrl(("code_challenge", null)), "invalid_request");

    [Fact]
    public async Task Authorize_PkcePlain_Refused() =>
        await AssertErrorRedirect(AuthorizeUrl(("code_challenge_method", "plain")), "invalid_request");

    [Fact]
    public async Task Authorize_PkceMethodMissing_MeansPlainAndIsRefused() =>
        await AssertErrorRedirect(AuthorizeUrl(("code_challenge_method", null)), "invalid_request");

    [Theory]
    [InlineData("tooshort")]
    [InlineData("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP+")]
    public async Task Authorize_MalformedCodeChallenge_Refused(string challenge) =>
        await AssertErrorRedirect(AuthorizeUrl(("code_challenge", challenge)), "invalid_request");

    [Fact]
    public async Task Authorize_ScopeNotAllowedForClient_RedirectsInvalidScope() =>
        await AssertErrorRedirect(AuthorizeUrl(("scope", "openid records")), "invalid_scope");

    [Fact]
    public async Task Authorize_UndefinedScope_RedirectsInvalidScope() =>
        await AssertErrorRedirect(AuthorizeUrl(("scope", "openid email")), "invalid_scope");

    [Fact]
    public async Task Authorize_PromptSelectAccount_Unsupported() =>
        await AssertErrorRedirect(AuthorizeUrl(("prompt", "select_account")), "invalid_request");

    [Fact]
    public async Task Authorize_PromptNoneWithLogin_RedirectsInvalidRequest() =>
        await AssertErrorRedirect(AuthorizeUrl(("prompt", "none login")), "invalid_request");

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("1.5")]
    public async Task Authorize_InvalidMaxAge_RedirectsInvalidRequest(string maxAge) =>
        await AssertErrorRedirect(AuthorizeUrl(("max_age", maxAge)), "invalid_request");

    [Fact]
    public async Task Authorize_RequestObject_RedirectsRequestNotSupported() =>
        await AssertErrorRedirect(AuthorizeUrl(("request", "eyJhbGciOiJub25lIn0.e30.")), "request_not_supported");

    [Fact]
    public async Task Authorize_RequestUriNotFromPar_ShowsErrorPage() =>
        await AssertErrorPage(AuthorizeUrl(("request_uri", "https://evil.test/request.jwt")), "request_uri_not_supported");

    [Fact]
    public async Task Authorize_OverlongParameter_RedirectsInvalidRequest() =>
        await AssertErrorRedirect(AuthorizeUrl(("nonce", new string('n', 4097))), "invalid_request");

    [Fact]
    public async Task Authorize_ResponseModeFragment_RedirectsInvalidRequest() =>
        await AssertErrorRedirect(AuthorizeUrl(("response_mode", "fragment")), "invalid_request");

    [Fact]
    public async Task Authorize_NoSession_RedirectsToLoginWithReturnUrl()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.GetAsync(AuthorizeUrl());
        var location = Location(response);
        Assert.StartsWith("/login?returnUrl=%2Fauthorize%3F", location.OriginalString);
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Authorize_SignedInWithConsent_IssuesCodeBoundToRequest()
    {
        using var browser = _host.NewBrowser();
        var (_, challenge) = Pkce();
        var location = await browser.AuthorizeAsync(AuthorizeUrl(("code_challenge", challenge), ("scope", "openid appointments")));

        Assert.StartsWith(WebRedirect + "?", location.ToString());
        var query = QueryOf(location);
        Assert.Equal("state-123", query["state"]);
        Assert.Equal(GatehouseTestHost.Issuer, query["iss"]);
        var code = await _host.RedeemAsync(query["code"]);
        Assert.Equal("web", code.ClientId);
        Assert.Equal(WebRedirect, code.RedirectUri);
        Assert.Equal(challenge, code.CodeChallenge);
        Assert.Equal(_host.AliceSubject, code.Subject);
        Assert.Equal("openid appointments", code.Scope);
        Assert.Equal("nonce-456", code.Nonce);
        Assert.Equal("pwd", code.Amr);
        Assert.False(string.IsNullOrEmpty(code.SessionId));
        Assert.False(string.IsNullOrEmpty(code.GrantId));
        Assert.Equal(60, code.ExpiresAt - code.CreatedAt);
    }

    [Fact]
    public async Task Authorize_NoScope_GrantsClientScopes()
    {
        using var browser = _host.NewBrowser();
        var location = await browser.AuthorizeAsync(AuthorizeUrl(("scope", null)));
        Assert.Equal("openid profile appointments", (await _host.RedeemAsync(QueryOf(location)["code"])).Scope);
    }

    [Fact]
    public async Task Authorize_Post_FormBodyAccepted()
    {
        using var browser = _host.NewBrowser();
        var query = AuthenticationHost.QueryOf(new Uri("https://x" + AuthorizeUrl()));
        var response = await browser.PostAsync("/authorize", query.Select(p => (p.Key, p.Value)).ToArray());
        Assert.StartsWith("/login?returnUrl=", Location(response).OriginalString);
    }

    [Fact]
    public async Task Authorize_PostNotAForm_ShowsErrorPage()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.Http.PostAsync("/authorize", new StringContent("{\"client_id\":\"web\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_PostRepeatedParameter_ShowsErrorPage()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.PostAsync("/authorize", ("client_id", "web"), ("redirect_uri", WebRedirect), ("scope", "openid"), ("scope", "profile"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_PublicClient_SignedIn_NoConsentNeeded()
    {
        using var browser = _host.NewBrowser();
        var location = await browser.AuthorizeAsync(AuthorizeUrl(("client_id", "spa"), ("redirect_uri", SpaRedirect), ("scope", "openid")));
        Assert.StartsWith(SpaRedirect + "?code=", location.ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:51234/callback")]
    [InlineData("http://127.0.0.1/callback")]
    public async Task Authorize_PublicClientLoopbackRedirect_AnyPort(string redirectUri)
    {
        // RFC 8252 §7.3: a native app listens on whichever loopback port is free.
        using var browser = _host.NewBrowser();
        var location = await browser.AuthorizeAsync(AuthorizeUrl(("client_id", "spa"), ("redirect_uri", redirectUri), ("scope", "openid")));
        Assert.StartsWith(redirectUri + "?code=", location.ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:51234/other")]
    [InlineData("http://localhost:7000/callback")]
    [InlineData("https://127.0.0.1:7000/callback")]
    [InlineData("http://127.0.0.2:7000/callback")]
    [InlineData("http://user@127.0.0.1:7000/callback")]
    public async Task Authorize_LoopbackRedirect_OnlyThePortMayDiffer(string redirectUri) =>
        await AssertErrorPage(AuthorizeUrl(("client_id", "spa"), ("redirect_uri", redirectUri), ("scope", "openid")), "invalid_request");

    [Fact]
    public async Task Authorize_ConfidentialClientLoopbackRedirect_MustMatchExactly()
    {
        await using var host = await AuthenticationHost.StartAsync(s => s["Gatehouse:Clients:web:RedirectUris:1"] = "http://127.0.0.1:7000/callback");
        await host.AssertErrorPageAsync(AuthorizeUrl(("redirect_uri", "http://127.0.0.1:7001/callback")), "invalid_request");
    }

    [Fact]
    public async Task Authorize_RedirectUriWithQuery_KeepsIt()
    {
        await using var host = await AuthenticationHost.StartAsync(s => s["Gatehouse:Clients:spa:RedirectUris:0"] = "http://127.0.0.1:7000/cb?tenant=a");
        using var browser = host.NewBrowser();
        var location = await browser.AuthorizeAsync(AuthorizeUrl(("client_id", "spa"), ("redirect_uri", "http://127.0.0.1:7000/cb?tenant=a"), ("scope", "openid")));
        Assert.StartsWith("http://127.0.0.1:7000/cb?tenant=a&code=", location.ToString());
    }
}
