using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Server.Authentication.Pages;
using Gatehouse.Server.Keys;
using OtpNet;
using static Gatehouse.Server.Tests.Authentication.AuthenticationHost;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>TOTP second factor (RFC 6238): enrolment with a QR code, sign-in, one use per time step.</summary>
public class TotpTests : IAsyncLifetime
{
    private AuthenticationHost _host = null!;

    public async Task InitializeAsync() => _host = await AuthenticationHost.StartAsync(s => s["Gatehouse:Authentication:LockoutThreshold"] = "3");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string CodeAt(byte[] secret, TimeSpan offset = default) => new Totp(secret).ComputeTotp((_host.Host.Time.GetUtcNow() + offset).UtcDateTime);

    /// <summary>Signs in with a password, enrols through the page, and returns the secret the page showed.</summary>
    private async Task<byte[]> EnrolAsync()
    {
        using var browser = _host.NewBrowser();
        Assert.Equal("/account", Location(await browser.SignInAsync("/login")).OriginalString);
        var (response, html) = await browser.GetPageAsync("/account/totp");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<img src=\"data:image/png;base64,", html);
        Assert.Contains("otpauth://totp/", html);
        var secret = Base32Encoding.ToBytes(Regex.Match(html, "<code id=\"totp-secret\">([A-Z2-7]+)</code>").Groups[1].Value);
        Assert.Equal(20, secret.Length);

        var wrong = await browser.SubmitAsync("/account/totp", html, ("code", "000000"));
        Assert.Contains("role=\"alert\"", await wrong.Content.ReadAsStringAsync());
        var enrolled = await browser.SubmitAsync("/account/totp", html, ("code", CodeAt(secret)));
        Assert.Contains("Your authenticator app is set up", await enrolled.Content.ReadAsStringAsync());
        return secret;
    }

    /// <summary>The password step; returns the second-factor page's URL.</summary>
    private static async Task<string> PasswordStepAsync(Browser browser, string authorizeUrl)
    {
        var login = Location(await browser.GetAsync(authorizeUrl)).OriginalString;
        var second = Location(await browser.SignInAsync(login)).OriginalString;
        Assert.StartsWith("/login/totp?returnUrl=", second);
        Assert.Null(browser.Session);
        return second;
    }

    private static string SpaUrl => AuthorizeUrl(("client_id", "spa"), ("redirect_uri", SpaRedirect), ("scope", "openid"));

    [Fact]
    public async Task Totp_Enrolment_StoresSecretEncryptedWithSubjectAsAssociatedData()
    {
        var secret = await EnrolAsync();
        var user = (await _host.Users.FindByUsernameAsync(Username, CancellationToken.None))!;
        Assert.NotNull(user.ProtectedTotpSecret);
        Assert.DoesNotContain(Convert.ToBase64String(secret), Convert.ToBase64String(user.ProtectedTotpSecret!));
        var protector = _host.Service<KeyProtector>();
        Assert.Equal(secret, protector.Unprotect(user.ProtectedTotpSecret!, user.Subject));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect(user.ProtectedTotpSecret!, "someone-else"));
    }

    [Fact]
    public async Task Totp_SignIn_AfterPasswordAndCode_AmrIsMfa()
    {
        var secret = await EnrolAsync();
        _host.Host.Time.Advance(TimeSpan.FromSeconds(30));
        using var browser = _host.NewBrowser();
        var second = await PasswordStepAsync(browser, SpaUrl);
        var (page, html) = await browser.GetPageAsync(second);
        Assert.Contains("autocomplete=\"one-time-code\"", html);
        var location = Location(await browser.SubmitAsync(second, html, ("code", CodeAt(secret))));
        Assert.StartsWith(SpaRedirect + "?code=", location.ToString());
        Assert.Equal("pwd otp mfa", (await _host.RedeemAsync(QueryOf(location)["code"])).Amr);
    }

    [Fact]
    public async Task Totp_PreviousStepAccepted_TwoStepsAgoRefused()
    {
        var secret = await EnrolAsync();
        _host.Host.Time.Advance(TimeSpan.FromMinutes(2));
        using var browser = _host.NewBrowser();
        var second = await PasswordStepAsync(browser, SpaUrl);
        var (_, html) = await browser.GetPageAsync(second);
        var old = await browser.SubmitAsync(second, html, ("code", CodeAt(secret, TimeSpan.FromSeconds(-60))));
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Contains(LoginTotpModel.FailureMessage, await old.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SubmitAsync(second, html, ("code", CodeAt(secret, TimeSpan.FromSeconds(-30))))).StatusCode);
    }

    [Fact]
    public async Task Totp_ReplayedCode_Refused()
    {
        var secret = await EnrolAsync();
        _host.Host.Time.Advance(TimeSpan.FromSeconds(30));
        var code = CodeAt(secret);
        using (var first = _host.NewBrowser())
        {
            var second = await PasswordStepAsync(first, SpaUrl);
            var (_, html) = await first.GetPageAsync(second);
            Assert.Equal(HttpStatusCode.Redirect, (await first.SubmitAsync(second, html, ("code", code))).StatusCode);
        }
        using var replay = _host.NewBrowser();
        var again = await PasswordStepAsync(replay, SpaUrl);
        var (_, againHtml) = await replay.GetPageAsync(again);
        var response = await replay.SubmitAsync(again, againHtml, ("code", code));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(LoginTotpModel.FailureMessage, await response.Content.ReadAsStringAsync());
        Assert.Null(replay.Session);
    }

    [Fact]
    public async Task Totp_EnrolmentCode_CannotBeReusedToSignIn()
    {
        var secret = await EnrolAsync();
        using var browser = _host.NewBrowser();
        var second = await PasswordStepAsync(browser, SpaUrl);
        var (_, html) = await browser.GetPageAsync(second);
        Assert.Equal(HttpStatusCode.OK, (await browser.SubmitAsync(second, html, ("code", CodeAt(secret)))).StatusCode);
        Assert.Null(browser.Session);
    }

    [Fact]
    public async Task Totp_WithoutPasswordStep_SentToLogin()
    {
        using var browser = _host.NewBrowser();
        var response = await browser.GetAsync("/login/totp?returnUrl=%2Faccount");
        Assert.StartsWith("/login", Location(response).OriginalString);
        var (_, loginHtml) = await browser.GetPageAsync("/login");
        var post = await browser.SubmitAsync("/login/totp", loginHtml, ("code", "123456"));
        Assert.StartsWith("/login", Location(post).OriginalString);
        Assert.Null(browser.Session);
    }

    [Fact]
    public async Task Totp_WrongCodes_CountTowardsLockout()
    {
        var secret = await EnrolAsync();
        _host.Host.Time.Advance(TimeSpan.FromSeconds(30));
        using var browser = _host.NewBrowser();
        var second = await PasswordStepAsync(browser, SpaUrl);
        var (_, html) = await browser.GetPageAsync(second);
        for (var i = 0; i < 3; i++)
            await browser.SubmitAsync(second, html, ("code", "000000"));
        // Locked: even the right code starts over at the password.
        var locked = await browser.SubmitAsync(second, html, ("code", CodeAt(secret)));
        Assert.StartsWith("/login", Location(locked).OriginalString);
        Assert.Null(browser.Session);
    }

    [Fact]
    public async Task Totp_EnrolmentNeedsRecentSignIn()
    {
        using var browser = _host.NewBrowser();
        await browser.SignInAsync("/login");
        _host.Host.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.StartsWith("/login?returnUrl=%2Faccount%2Ftotp", Location(await browser.GetAsync("/account/totp")).OriginalString);
    }
}
