using System.Net;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Authentication.AuthenticationHost;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>Pushed authorization requests (RFC 9126).</summary>
public class PushedAuthorizationTests : IAsyncLifetime
{
    private AuthenticationHost _host = null!;
    private HttpClient Client => _host.Host.Client;

    public async Task InitializeAsync() => _host = await AuthenticationHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static (string, string)[] RequestFor(string clientId, params (string Name, string? Value)[] changes) =>
        QueryOf(new Uri("https://x" + AuthorizeUrl([("client_id", clientId), ("scope", "openid"), .. changes])))
            .Select(p => (p.Key, p.Value)).ToArray();

    private async Task<string> PushAsync(string clientId, string? secret, params (string Name, string? Value)[] changes)
    {
        var response = await Client.SendAsync(Form("/par", secret is null ? null : Basic(clientId, secret), RequestFor(clientId, changes)));
        var json = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal(90, json.GetProperty("expires_in").GetInt32());
        var requestUri = json.GetProperty("request_uri").GetString()!;
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", requestUri);
        return requestUri;
    }

    private static string Authorize(string clientId, string requestUri) =>
        $"/authorize?client_id={Uri.EscapeDataString(clientId)}&request_uri={Uri.EscapeDataString(requestUri)}";

    [Fact]
    public async Task Par_ConfidentialClient_FlowIssuesCodeFromPushedParameters()
    {
        var (_, challenge) = Pkce();
        var requestUri = await PushAsync("pushed", WebSecret, ("code_challenge", challenge), ("state", "pushed-state"));
        using var browser = _host.NewBrowser();
        // Parameters beside client_id and request_uri are ignored (RFC 9126 §4).
        var location = await browser.AuthorizeAsync(Authorize("pushed", requestUri) + "&state=other&redirect_uri=https%3A%2F%2Fevil.test%2F");
        Assert.StartsWith(WebRedirect + "?code=", location.ToString());
        var query = QueryOf(location);
        Assert.Equal("pushed-state", query["state"]);
        Assert.Equal(GatehouseTestHost.Issuer, query["iss"]);
        Assert.Equal(challenge, (await _host.RedeemAsync(query["code"])).CodeChallenge);
    }

    [Fact]
    public async Task Par_RequestUri_UsedUpWhenCodeIssued()
    {
        var requestUri = await PushAsync("pushed", WebSecret);
        using var browser = _host.NewBrowser();
        Assert.StartsWith(WebRedirect + "?code=", (await browser.AuthorizeAsync(Authorize("pushed", requestUri))).ToString());
        await _host.AssertErrorPageAsync(Authorize("pushed", requestUri), "invalid_request_uri");
    }

    [Fact]
    public async Task Par_PublicClient_IdentifiedByClientId()
    {
        var requestUri = await PushAsync("spa", null, ("redirect_uri", SpaRedirect));
        using var browser = _host.NewBrowser();
        Assert.StartsWith(SpaRedirect + "?code=", (await browser.AuthorizeAsync(Authorize("spa", requestUri))).ToString());
    }

    [Fact]
    public async Task Par_WrongSecret_InvalidClient()
    {
        var response = await Client.SendAsync(Form("/par", Basic("pushed", "wrong-secret-0123456789abcdefghijklmnop"), RequestFor("pushed")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("code_challenge_method", "plain", "invalid_request")]
    [InlineData("redirect_uri", "https://evil.test/", "invalid_request")]
    [InlineData("scope", "records", "invalid_scope")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("request_uri", "urn:ietf:params:oauth:request_uri:abc", "invalid_request")]
    public async Task Par_SameRulesAsAuthorize_ErrorsAnsweredAsJson(string name, string value, string error)
    {
        var response = await Client.SendAsync(Form("/par", Basic("pushed", WebSecret), RequestFor("pushed", (name, value))));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await JsonAsync(response)).GetProperty("error").GetString());
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Par_RequiredByClient_DirectRequestRefused()
    {
        using var browser = _host.NewBrowser();
        var query = QueryOf(Location(await browser.GetAsync(AuthorizeUrl(("client_id", "pushed"), ("scope", "openid")))));
        Assert.Equal("invalid_request", query["error"]);
        Assert.Contains("push", query["error_description"]);
    }

    [Fact]
    public async Task Par_OtherClientsRequestUri_Refused()
    {
        var requestUri = await PushAsync("pushed", WebSecret);
        await _host.AssertErrorPageAsync(Authorize("web", requestUri), "invalid_request_uri");
    }

    [Fact]
    public async Task Par_Expired_Refused()
    {
        var requestUri = await PushAsync("pushed", WebSecret);
        _host.Host.Time.Advance(TimeSpan.FromSeconds(91));
        await _host.AssertErrorPageAsync(Authorize("pushed", requestUri), "invalid_request_uri");
    }

    [Fact]
    public async Task Par_RequestUriWithoutClientId_ShowsErrorPage()
    {
        var requestUri = await PushAsync("pushed", WebSecret);
        await _host.AssertErrorPageAsync("/authorize?request_uri=" + Uri.EscapeDataString(requestUri), "invalid_request");
    }

    [Fact]
    public async Task Par_PromptLoginInPushedRequest_SignsInOnceThenIssuesCode()
    {
        using var browser = _host.NewBrowser();
        await browser.SignInAsync("/login");
        var requestUri = await PushAsync("pushed", WebSecret, ("prompt", "login"));
        var login = Location(await browser.GetAsync(Authorize("pushed", requestUri))).OriginalString;
        Assert.StartsWith("/login?returnUrl=", login);
        Assert.StartsWith(WebRedirect + "?code=", Location(await browser.SignInAsync(login)).ToString());
    }
}
