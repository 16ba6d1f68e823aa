using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Browser;
using Gatehouse.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.IntegrationTests.SignIn;

/// <summary>
/// A native app as RFC 8252 describes it, built with Duende's certified OidcClient (nobody here wrote it): a public
/// client with PKCE and a loopback redirect, signing a demo doctor in at the real login page of <c>gatehouse up</c>,
/// then calling userinfo, the Medical API through the gateway, refreshing, and logging out.
/// </summary>
[Collection(DemoPlatform.Collection)]
public class NativeAppSignInTests(DemoPlatform platform)
{
    private const string RedirectUri = "http://127.0.0.1:7890/callback";
    private const string SignedOutUri = "http://127.0.0.1:7890/signed-out";

    /// <summary>The system browser of a native app, played by a form-submitting HTTP client: sign in, then allow.</summary>
    private sealed class SigningInBrowser(FormBrowser browser, string username, string password) : IBrowser
    {
        public List<string> Pages { get; } = [];

        public async Task<BrowserResult> InvokeAsync(BrowserOptions options, CancellationToken cancellationToken = default)
        {
            await browser.NavigateAsync(options.StartUrl, stopAt: options.EndUrl);
            while (!browser.Url.ToString().StartsWith(options.EndUrl, StringComparison.Ordinal))
            {
                var title = browser.Page.Title ?? "";
                Pages.Add(title);
                if (title.StartsWith("Sign in", StringComparison.Ordinal))
                    await browser.SubmitAsync("Sign in", new Dictionary<string, string> { ["Username"] = username, ["Password"] = password }, options.EndUrl);
                else if (title.StartsWith("Allow access", StringComparison.Ordinal))
                    await browser.SubmitAsync("Allow", stopAt: options.EndUrl);
                else
                    return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = $"Unexpected page '{title}' at {browser.Url}: {browser.Text}" };
            }
            return new BrowserResult { ResultType = BrowserResultType.Success, Response = browser.Url.ToString() };
        }
    }

    private OidcClient Client(IBrowser browser) => new(new OidcClientOptions
    {
        Authority = platform.Issuer,
        ClientId = "demo-native-app",
        RedirectUri = RedirectUri,
        PostLogoutRedirectUri = SignedOutUri,
        Scope = "openid profile email appointments",
        Browser = browser,
        Policy = { Discovery = { RequireHttps = false } },
    });

    [Fact]
    public async Task NativeApp_SignsIn_GetsUserinfo_CallsTheApi_Refreshes_AndLogsOut()
    {
        using var formBrowser = new FormBrowser();
        var browser = new SigningInBrowser(formBrowser, "dr-alice", platform.PasswordOf("dr-alice"));
        var client = Client(browser);

        var login = await client.LoginAsync();

        Assert.False(login.IsError, login.Error + " " + login.ErrorDescription);
        // RFC 9207, the mix-up defence: the response names the issuer that sent it, for the client to compare.
        Assert.Equal(platform.Issuer, System.Web.HttpUtility.ParseQueryString(formBrowser.Url.Query)["iss"]);
        Assert.Equal(["Sign in", "Allow access"], browser.Pages.Select(p => p.Split(" – ")[0]));
        Assert.Equal("dr-alice", login.User.FindFirst("sub")?.Value);
        // The profile claims come from the userinfo endpoint (OidcClient loads it by default).
        Assert.Equal("Alice Adams", login.User.FindFirst("name")?.Value);
        Assert.Equal("dr-alice@example.test", login.User.FindFirst("email")?.Value);
        var idToken = new JsonWebToken(login.IdentityToken);
        Assert.Equal(platform.Issuer, idToken.Issuer);
        Assert.Equal(["demo-native-app"], idToken.Audiences);
        Assert.Contains("pwd", idToken.GetPayloadValue<string[]>("amr"));
        Assert.False(string.IsNullOrEmpty(login.RefreshToken));

        // Rule: a doctor sees their department's appointments in their hospitals, colleagues' included (a-2 is dr-bob's).
        var appointments = await GetAsync(login.AccessToken, "/medical/appointments");
        Assert.Equal(HttpStatusCode.OK, appointments.Status);
        var ids = JsonDocument.Parse(appointments.Body).RootElement.EnumerateArray().Select(a => a.GetProperty("id").GetString()).Order().ToList();
        Assert.Equal(["a-1", "a-2"], ids);
        // Rule: tokens of the appointments app cannot read medical records, even for a doctor.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(login.AccessToken, "/medical/records/r-1")).Status);

        var refreshed = await client.RefreshTokenAsync(login.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error + " " + refreshed.ErrorDescription);
        Assert.NotEqual(login.AccessToken, refreshed.AccessToken);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(refreshed.AccessToken, "/medical/appointments")).Status);

        var logout = await client.LogoutAsync(new LogoutRequest { IdTokenHint = login.IdentityToken });
        Assert.False(logout.IsError, logout.Error);
        Assert.StartsWith(SignedOutUri, formBrowser.Url.ToString());
        // Logging out revoked the session's refresh tokens and the access tokens issued from them.
        var afterLogout = await client.RefreshTokenAsync(refreshed.RefreshToken);
        Assert.True(afterLogout.IsError);
        Assert.Equal("invalid_grant", afterLogout.Error);
        // (The gateway may serve its cached JWT until its cache bound; introspection answers at once.)
        Assert.False(await IsActiveAsync(refreshed.AccessToken));
    }

    [Fact]
    public async Task NativeApp_ReusingARotatedRefreshToken_RevokesTheWholeFamily()
    {
        using var formBrowser = new FormBrowser();
        var client = Client(new SigningInBrowser(formBrowser, "dr-bob", platform.PasswordOf("dr-bob")));
        var login = await client.LoginAsync();
        Assert.False(login.IsError, login.Error + " " + login.ErrorDescription);
        var refreshed = await client.RefreshTokenAsync(login.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error);

        // An attacker replays the stolen, already rotated token (RFC 9700 §4.14.2).
        var replay = await client.RefreshTokenAsync(login.RefreshToken);

        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal("invalid_grant", (await client.RefreshTokenAsync(refreshed.RefreshToken)).Error);
        Assert.False(await IsActiveAsync(refreshed.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(refreshed.AccessToken, "/medical/appointments")).Status);
    }

    [Fact]
    public async Task NativeApp_WrongPassword_StaysOnTheLoginPage_WithoutSayingWhichPartWasWrong()
    {
        using var formBrowser = new FormBrowser();
        var client = Client(new SigningInBrowser(formBrowser, "dr-carol", "not-her-password"));
        var state = await client.PrepareLoginAsync();

        await formBrowser.NavigateAsync(state.StartUrl, stopAt: RedirectUri);
        await formBrowser.SubmitAsync("Sign in", new Dictionary<string, string> { ["Username"] = "dr-carol", ["Password"] = "not-her-password" }, RedirectUri);
        var wrongPassword = formBrowser.Text;
        await formBrowser.SubmitAsync("Sign in", new Dictionary<string, string> { ["Username"] = "dr-nobody", ["Password"] = "not-her-password" }, RedirectUri);

        Assert.StartsWith("Sign in", formBrowser.Page.Title);
        Assert.Contains("The username or password is incorrect.", wrongPassword);
        Assert.Contains("The username or password is incorrect.", formBrowser.Text);
    }

    private async Task<bool> IsActiveAsync(string accessToken)
    {
        using var http = platform.Server.CreateClient();
        using var response = await http.PostAsync("/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "demo-gateway",
            ["client_secret"] = platform.Env["DEMO_GATEWAY_SECRET"],
            ["token"] = accessToken,
        }));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("active").GetBoolean();
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string accessToken, string path)
    {
        using var http = TestHttp.Create(new Uri(platform.Gateway));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
