using System.Net;
using Gatehouse.Server.Users;
using Microsoft.Extensions.DependencyInjection;
using static Gatehouse.Server.Tests.Authentication.AuthenticationHost;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>The login page: CSRF protection, no user enumeration, lockout, rate limit, accessible HTML.</summary>
public class LoginTests : IAsyncLifetime
{
    private AuthenticationHost _host = null!;

    public async Task InitializeAsync() => _host = await AuthenticationHost.StartAsync(s =>
    {
        s["Gatehouse:Authentication:LockoutThreshold"] = "3";
        s["Gatehouse:Users:disabled:Password"] = "disabled-password";
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string LoginUrl => "/login?returnUrl=" + Uri.EscapeDataString(AuthorizeUrl());

    [Fact]
    public async Task Login_Page_IsAccessibleHtmlWithSecurityHeaders()
    {
        using var browser = _host.NewBrowser();
        var (response, html) = await browser.GetPageAsync(LoginUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<html lang=\"en\">", html);
        Assert.Contains("<title>Sign in – Gatehouse</title>", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<h1"));
        Assert.Contains("<label for=\"username\">", html);
        Assert.Contains("<label for=\"password\">", html);
        Assert.Contains("autocomplete=\"username\"", html);
        Assert.Contains("autocomplete=\"current-password\"", html);
        Assert.Contains("<button type=\"submit\">Sign in</button>", html);
        Assert.Contains("Web Portal", html);
        Assert.Contains("__RequestVerificationToken", html);
        Assert.True(response.Headers.CacheControl!.NoStore);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Login_LoginHint_PrefillsUsername()
    {
        using var browser = _host.NewBrowser();
        var (_, html) = await browser.GetPageAsync("/login?returnUrl=" + Uri.EscapeDataString(AuthorizeUrl(("login_hint", "alice@example"))));
        Assert.Contains("value=\"alice@example\"", html);
    }

    [Fact]
    public async Task Login_PostWithoutAntiforgeryToken_Refused()
    {
        using var browser = _host.NewBrowser();
        await browser.GetPageAsync(LoginUrl);
        var response = await browser.PostAsync(LoginUrl, ("username", Username), ("password", Password));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Null(browser.Session);
    }

    [Fact]
    public async Task Login_PostWithWrongAntiforgeryToken_Refused()
    {
        using var browser = _host.NewBrowser();
        var (_, html) = await browser.GetPageAsync(LoginUrl);
        using var attacker = _host.NewBrowser();
        var (_, attackerHtml) = await attacker.GetPageAsync(LoginUrl);
        // The attacker's own token, posted from the victim's browser (a cross-site form).
        var response = await browser.PostAsync(LoginUrl, ("__RequestVerificationToken", HiddenInputs(attackerHtml)["__RequestVerificationToken"]),
            ("username", Username), ("password", Password));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEqual(HiddenInputs(html)["__RequestVerificationToken"], HiddenInputs(attackerHtml)["__RequestVerificationToken"]);
    }

    [Fact]
    public async Task Login_UnknownUserAndWrongPasswordAndDisabledUser_LookTheSame()
    {
        var answers = new List<(HttpStatusCode, string)>();
        foreach (var (username, password) in new[] { ("nobody", "whatever-1"), (Username, "wrong-password"), ("disabled", "disabled-password") })
        {
            if (username == "disabled")
            {
                var user = await _host.Users.FindByUsernameAsync("disabled", CancellationToken.None);
                await _host.Users.SetEnabledAsync(user!.Subject, false, CancellationToken.None);
            }
            using var browser = _host.NewBrowser();
            var response = await browser.SignInAsync(LoginUrl, username, password);
            var html = await response.Content.ReadAsStringAsync();
            var alert = System.Text.RegularExpressions.Regex.Match(html, "<div role=\"alert\"[^>]*>.*?</div>", System.Text.RegularExpressions.RegexOptions.Singleline).Value;
            answers.Add((response.StatusCode, alert));
            Assert.Null(browser.Session);
        }
        Assert.Contains("The username or password is incorrect.", answers[0].Item2);
        Assert.All(answers, a => Assert.Equal(answers[0], a));
    }

    [Fact]
    public async Task Login_Lockout_AfterThresholdEvenWithRightPassword()
    {
        using var browser = _host.NewBrowser();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await browser.SignInAsync(LoginUrl, Username, "wrong-password")).StatusCode);

        var locked = await browser.SignInAsync(LoginUrl);
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Contains(Gatehouse.Server.Authentication.PasswordSignIn.FailureMessage, await locked.Content.ReadAsStringAsync());

        // The lockout ends after Authentication:LockoutDuration (5 minutes by default).
        _host.Host.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(LoginUrl)).StatusCode);
    }

    [Fact]
    public async Task Login_Success_StartsSessionCookie()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.SignInAsync(LoginUrl);
        Assert.StartsWith("/consent?returnUrl=", Location(response).OriginalString);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gatehouse.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        // Plain http here (the test server); on https the cookie is Secure.
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Login_Https_CookieIsSecure()
    {
        using var browser = _host.NewBrowser();
        browser.Http.BaseAddress = new Uri("https://localhost");
        var response = await browser.SignInAsync(LoginUrl);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gatehouse.session=", StringComparison.Ordinal));
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Login_EverySignIn_NewSessionId()
    {
        using var browser = _host.NewBrowser();
        await browser.SignInAsync(LoginUrl);
        var first = browser.Session;
        await browser.SignInAsync(LoginUrl);
        var second = browser.Session;
        Assert.NotEqual(first, second);
        Assert.Equal(43, second!.Length);
    }

    [Theory]
    [InlineData("https://evil.test/")]
    [InlineData("//evil.test/")]
    [InlineData("/\\evil.test/")]
    public async Task Login_ExternalReturnUrl_NeverRedirectsThere(string returnUrl)
    {
        using var browser = _host.NewBrowser();
        var url = "/login?returnUrl=" + Uri.EscapeDataString(returnUrl);
        var response = await browser.SignInAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("role=\"alert\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Login_NoReturnUrl_GoesToAccount()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.SignInAsync("/login");
        Assert.Equal("/account", Location(response).OriginalString);
        var (_, html) = await browser.GetPageAsync("/account");
        Assert.Contains("Signed in as <strong>alice</strong>", html);
    }

    [Fact]
    public async Task Login_OldPasswordHashCost_RehashedAtSignIn()
    {
        var hasher = new PasswordHasher(new Gatehouse.Server.Configuration.AuthenticationOptions { PasswordHashIterations = 500 });
        await _host.Users.SetPasswordHashAsync(_host.AliceSubject, hasher.Hash(Password), CancellationToken.None);
        using var browser = _host.NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync("/login")).StatusCode);
        var stored = (await _host.Users.FindByUsernameAsync(Username, CancellationToken.None))!.PasswordHash;
        Assert.StartsWith("pbkdf2-sha256$1000$", stored);
        Assert.True(_host.Service<PasswordHasher>().Verify(Password, stored));
    }

    [Fact]
    public async Task Login_RateLimitPerAddress_Answers429()
    {
        await using var host = await AuthenticationHost.StartAsync(s => s["Gatehouse:Authentication:SignInAttemptsPerMinute"] = "2");
        using var browser = host.NewBrowser();
        var (_, html) = await browser.GetPageAsync("/login");
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await browser.SubmitAsync("/login", html, ("username", "nobody"), ("password", "x"))).StatusCode);
        var limited = await browser.SubmitAsync("/login", html, ("username", Username), ("password", Password));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many sign-in attempts", await limited.Content.ReadAsStringAsync());
        // Reading the page is not limited.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/login")).StatusCode);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]     // the ingress, inside the trusted network: https as it says
    [InlineData("192.0.2.10", false)]  // anyone else: the header is ignored
    public async Task Login_BehindATrustedProxy_ForwardedHttpsMakesTheCookieSecure_FromOthersTheHeaderIsIgnored(string from, bool secure)
    {
        await using var host = await AuthenticationHost.StartAsync(s => s["Gatehouse:ForwardedHeaders:TrustedProxies:0"] = "10.0.0.0/8");
        using var browser = host.NewBrowser(IPAddress.Parse(from));
        browser.Http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        browser.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        var response = await browser.SignInAsync(LoginUrl);

        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gatehouse.session=", StringComparison.Ordinal));
        Assert.Equal(secure, setCookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Login_RateLimit_BehindATrustedProxy_CountsEachForwardedClient()
    {
        await using var host = await AuthenticationHost.StartAsync(s =>
        {
            s["Gatehouse:Authentication:SignInAttemptsPerMinute"] = "1";
            s["Gatehouse:ForwardedHeaders:TrustedProxies:0"] = "10.0.0.7";
        });
        async Task<HttpStatusCode> AttemptAsync(string client)
        {
            using var browser = host.NewBrowser(IPAddress.Parse("10.0.0.7"));
            browser.Http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
            var (_, html) = await browser.GetPageAsync("/login");
            return (await browser.SubmitAsync("/login", html, ("username", "nobody"), ("password", "x"))).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await AttemptAsync("203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await AttemptAsync("203.0.113.1"));
        // Another client behind the same ingress has its own allowance.
        Assert.Equal(HttpStatusCode.OK, await AttemptAsync("203.0.113.2"));
    }

    [Fact]
    public async Task Login_FormFromOneReplica_AcceptedByAnotherWithTheSameConfiguration()
    {
        // Replicas share the store and the configuration; the data protection keys live in the store.
        var encryptionKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var store = $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("gatehouse-replicas-").FullName, "gatehouse.db")}";
        void Shared(Dictionary<string, string?> s)
        {
            s["Gatehouse:Keys:EncryptionKey"] = encryptionKey;
            s["Gatehouse:Storage:ConnectionString"] = store;
        }
        await using var first = await AuthenticationHost.StartAsync(Shared);
        await using var second = await AuthenticationHost.StartAsync(Shared);
        using var servedBy = first.NewBrowser();
        var (_, html) = await servedBy.GetPageAsync("/login");
        using var postedTo = second.NewBrowser();
        postedTo.Cookies.Add(servedBy.Cookies.GetAllCookies());
        Assert.Equal("/account", Location(await postedTo.SubmitAsync("/login", html, ("username", Username), ("password", Password))).OriginalString);

        // A server with another key does not accept it.
        using var other = _host.NewBrowser();
        other.Cookies.Add(servedBy.Cookies.GetAllCookies());
        Assert.Equal(HttpStatusCode.BadRequest, (await other.SubmitAsync("/login", html, ("username", Username), ("password", Password))).StatusCode);
    }
}
