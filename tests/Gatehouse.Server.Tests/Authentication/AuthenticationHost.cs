using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tests.Hosting;
using Gatehouse.Server.Token;
using Gatehouse.Server.Users;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>
/// A Gatehouse test host with users and clients of the authorization code flow, and helpers that act like a browser
/// (cookies, redirects followed by hand, forms read from the HTML) and like a client (PKCE, parsing the redirect).
/// </summary>
public sealed partial class AuthenticationHost : IAsyncDisposable
{
    public const string Username = "alice";
    public const string Password = "alice-password-1";
    public const string WebSecret = "web-secret-0123456789abcdefghijklmnopqrs";
    public const string WebRedirect = "https://web.test/callback";
    public const string WebSignedOut = "https://web.test/signed-out";
    public const string SpaRedirect = "http://127.0.0.1:7000/callback";

    public GatehouseTestHost Host { get; }
    public string AliceSubject { get; private set; } = "";

    private AuthenticationHost(GatehouseTestHost host) => Host = host;

    public static async Task<AuthenticationHost> StartAsync(Action<Dictionary<string, string?>>? amend = null)
    {
        var host = await GatehouseTestHost.StartAsync(s =>
        {
            s["Gatehouse:Authentication:PasswordHashIterations"] = "1000";
            s["Gatehouse:Scopes:openid:Description"] = "Sign you in";
            s["Gatehouse:Scopes:profile:Description"] = "Your name";
            s["Gatehouse:Scopes:profile:Claims:0"] = "name";
            s["Gatehouse:Clients:web:Secret"] = WebSecret;
            s["Gatehouse:Clients:web:DisplayName"] = "Web Portal";
            s["Gatehouse:Clients:web:GrantTypes:0"] = "authorization_code";
            s["Gatehouse:Clients:web:GrantTypes:1"] = "refresh_token";
            s["Gatehouse:Clients:web:Scopes:0"] = "openid";
            s["Gatehouse:Clients:web:Scopes:1"] = "profile";
            s["Gatehouse:Clients:web:Scopes:2"] = "appointments";
            s["Gatehouse:Clients:web:RedirectUris:0"] = WebRedirect;
            s["Gatehouse:Clients:web:PostLogoutRedirectUris:0"] = WebSignedOut;
            s["Gatehouse:Clients:web:Audience"] = "https://api.test";
            s["Gatehouse:Clients:spa:Public"] = "true";
            s["Gatehouse:Clients:spa:GrantTypes:0"] = "authorization_code";
            s["Gatehouse:Clients:spa:Scopes:0"] = "openid";
            s["Gatehouse:Clients:spa:RedirectUris:0"] = SpaRedirect;
            s["Gatehouse:Clients:spa:RequireConsent"] = "false";
            s["Gatehouse:Clients:spa:Audience"] = "https://api.test";
            s["Gatehouse:Clients:pushed:Secret"] = WebSecret;
            s["Gatehouse:Clients:pushed:GrantTypes:0"] = "authorization_code";
            s["Gatehouse:Clients:pushed:Scopes:0"] = "openid";
            s["Gatehouse:Clients:pushed:RedirectUris:0"] = WebRedirect;
            s["Gatehouse:Clients:pushed:RequirePushedAuthorizationRequests"] = "true";
            s["Gatehouse:Clients:pushed:RequireConsent"] = "false";
            s["Gatehouse:Clients:pushed:Audience"] = "https://api.test";
            s["Gatehouse:Users:alice:Password"] = Password;
            s["Gatehouse:Users:alice:Claims:name"] = "Alice Example";
            s["Gatehouse:Users:bob:Password"] = "bob-password-12";
            amend?.Invoke(s);
        });
        var result = new AuthenticationHost(host);
        await host.Services.GetRequiredService<UserSeeder>().SeedAsync(CancellationToken.None);
        result.AliceSubject = (await result.Users.FindByUsernameAsync(Username, CancellationToken.None))!.Subject;
        return result;
    }

    public UserStore Users => Host.Services.GetRequiredService<UserStore>();
    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();
    public long Now => Host.Time.GetUtcNow().ToUnixTimeSeconds();

    public Browser NewBrowser() => new(new CookieHandler { InnerHandler = Host.App.GetTestServer().CreateHandler() });

    /// <summary>A browser whose requests arrive from <paramref name="remote"/>, as from a client or a proxy at that address.</summary>
    public Browser NewBrowser(IPAddress remote) =>
        new(new CookieHandler { InnerHandler = Host.App.GetTestServer().CreateHandler(c => c.Connection.RemoteIpAddress = remote) });

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    /// <summary>An error page: 400, HTML, the error code shown, and no redirect anywhere (RFC 6749 §4.1.2.1).</summary>
    public async Task AssertErrorPageAsync(string url, string error)
    {
        using var browser = NewBrowser();
        var (response, html) = await browser.GetPageAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"<code>{error}</code>", html);
        Assert.DoesNotContain("web.test", html);
    }

    /// <summary>A PKCE pair (RFC 7636 §4.1-4.2).</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = OpaqueToken.Create();
        return (verifier, Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>A valid request for the web client; each entry of <paramref name="changes"/> replaces (or with null removes) one parameter.</summary>
    public static string AuthorizeUrl(params (string Name, string? Value)[] changes)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = "web",
            ["redirect_uri"] = WebRedirect,
            ["scope"] = "openid profile",
            ["state"] = "state-123",
            ["nonce"] = "nonce-456",
            ["code_challenge"] = Pkce().Challenge,
            ["code_challenge_method"] = "S256",
        };
        foreach (var (name, value) in changes)
            parameters[name] = value;
        return QueryHelpers.AddQueryString("/authorize", parameters.Where(p => p.Value is not null));
    }

    /// <summary>Reads back the code the server issued, as the token endpoint will (the record is the contract between the halves).</summary>
    public async Task<AuthorizationCodeRecord> RedeemAsync(string code)
    {
        var (outcome, record) = await Service<AuthorizationCodeStore>().RedeemAsync(TokenHash.Sha256(code), Now, CancellationToken.None);
        Assert.Equal(CodeRedemption.Redeemed, outcome);
        return record!;
    }

    public static Dictionary<string, string> QueryOf(Uri location) =>
        QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>A cookie-keeping client that never follows redirects, so every hop can be checked.</summary>
    public sealed class Browser(CookieHandler cookies) : IDisposable
    {
        public HttpClient Http { get; } = new(cookies) { BaseAddress = new Uri("http://localhost") };
        public CookieContainer Cookies => cookies.Jar;

        /// <summary>The session cookie's value, null when there is none.</summary>
        public string? Session => cookies.Jar.GetCookies(Http.BaseAddress!)["gatehouse.session"]?.Value;

        public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url);

        public async Task<(HttpResponseMessage Response, string Html)> GetPageAsync(string url)
        {
            var response = await Http.GetAsync(url);
            return (response, await response.Content.ReadAsStringAsync());
        }

        /// <summary>Posts a form as a browser would: the hidden inputs of the page's form (antiforgery token included) plus the given fields.</summary>
        public Task<HttpResponseMessage> SubmitAsync(string url, string html, params (string Name, string Value)[] fields)
        {
            var values = HiddenInputs(html);
            foreach (var (name, value) in fields)
                values[name] = value;
            return PostAsync(url, values.Select(p => (p.Key, p.Value)).ToArray());
        }

        public Task<HttpResponseMessage> PostAsync(string url, params (string Name, string Value)[] fields) =>
            Http.PostAsync(url, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

        /// <summary>Signs in on the login page the server redirected to and returns the response to the login post.</summary>
        public async Task<HttpResponseMessage> SignInAsync(string loginUrl, string username = Username, string password = Password)
        {
            var (_, html) = await GetPageAsync(loginUrl);
            return await SubmitAsync(loginUrl, html, ("username", username), ("password", password));
        }

        /// <summary>Runs a whole request: authorize, login, consent (allowed); returns the final redirect to the client.</summary>
        public async Task<Uri> AuthorizeAsync(string authorizeUrl, string username = Username, string password = Password)
        {
            var response = await GetAsync(authorizeUrl);
            var location = Location(response);
            if (location.OriginalString.StartsWith("/login", StringComparison.Ordinal))
            {
                response = await SignInAsync(location.OriginalString, username, password);
                location = Location(response);
            }
            if (location.OriginalString.StartsWith("/consent", StringComparison.Ordinal))
            {
                var (_, html) = await GetPageAsync(location.OriginalString);
                location = Location(await SubmitAsync(location.OriginalString, html, ("decision", "allow")));
            }
            return location;
        }

        public void Dispose() => Http.Dispose();
    }

    public static Uri Location(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        return response.Headers.Location!;
    }

    public static Dictionary<string, string> HiddenInputs(string html) =>
        HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    [GeneratedRegex("""<input[^>]*type="hidden"[^>]*name="(?<name>[^"]+)"[^>]*value="(?<value>[^"]*)"[^>]*>|<input[^>]*name="(?<name>[^"]+)"[^>]*type="hidden"[^>]*value="(?<value>[^"]*)"[^>]*>""")]
    private static partial Regex HiddenInput();

    /// <summary>Keeps cookies like a browser: sends those that match the request, stores every Set-Cookie.</summary>
    public sealed class CookieHandler : DelegatingHandler
    {
        public CookieContainer Jar { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var header = Jar.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0)
                request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                    Jar.SetCookies(request.RequestUri!, setCookie);
            }
            return response;
        }
    }
}
