using System.Text.RegularExpressions;
using Gatehouse.TestSupport;
using Microsoft.Playwright;

namespace Gatehouse.IntegrationTests.SignIn;

/// <summary>
/// A person in a real browser (Debian's Chromium, headless) signs in to the doctor portal — an ASP.NET Core app using
/// Microsoft's own OpenIdConnect handler — through Gatehouse's login page, sees their profile from userinfo and their
/// department's appointments through the phantom-token gateway, refreshes the tokens and signs out.
/// </summary>
[Collection(DemoPlatform.Collection)]
public class PortalSignInTests(DemoPlatform platform) : IAsyncLifetime
{
    private HeadlessChromium? _chromium;

    public async Task InitializeAsync() => _chromium = await HeadlessChromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
            await _chromium.DisposeAsync();
    }

    private async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GotoAsync(platform.Portal);
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Gatehouse" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(platform.Issuer) + "/login"));
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(platform.Portal + "/");
    }

    [Fact]
    public async Task Doctor_SignsInInTheBrowser_SeesProfileAndOwnDepartment_RefreshesTokens_AndSignsOut()
    {
        await using var tab = await _chromium!.NewPageAsync();
        var page = tab.Page;

        await SignInAsync(page, "dr-alice", platform.PasswordOf("dr-alice"));

        // First-party portal: no consent screen; the claims come from the ID token and userinfo.
        Assert.Equal("Alice Adams", await page.Locator("#user-name").InnerTextAsync());
        Assert.Equal("cardiology", await page.Locator("#department").InnerTextAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Profile (userinfo)" }).ClickAsync();
        var claims = page.GetByRole(AriaRole.Table, new() { Name = "Claims from the userinfo endpoint" });
        await Assertions.Expect(claims).ToContainTextAsync("dr-alice@example.test");
        await Assertions.Expect(claims).ToContainTextAsync("st-mary");
        var fingerprint = await page.Locator("#refresh-fingerprint").InnerTextAsync();
        Assert.NotEqual("none", fingerprint);

        // Through the gateway: cardiology at st-mary only, including a colleague's appointment.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Appointments" }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Appointments you may see" }).Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        var text = await page.GetByRole(AriaRole.Table).InnerTextAsync();
        Assert.Contains("dr-bob", text);
        Assert.DoesNotContain("oncology", text);
        Assert.DoesNotContain("riverside", text);

        await page.GotoAsync(platform.Portal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh tokens" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Tokens refreshed.");
        await page.GetByRole(AriaRole.Link, new() { Name = "See your profile" }).ClickAsync();
        Assert.NotEqual(fingerprint, await page.Locator("#refresh-fingerprint").InnerTextAsync());

        await page.GotoAsync(platform.Portal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(platform.Portal + "/");
        await Assertions.Expect(page.GetByText("You are not signed in.")).ToBeVisibleAsync();

        // The Gatehouse session ended too: signing in again asks for the password.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Gatehouse" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(platform.Issuer) + "/login"));
        Assert.Empty(tab.ScriptErrors);
    }

    [Fact]
    public async Task SecondApp_UsesTheSingleSignOnSession_WithoutAskingForThePasswordAgain()
    {
        await using var tab = await _chromium!.NewPageAsync();
        await SignInAsync(tab.Page, "dr-dave", platform.PasswordOf("dr-dave"));

        // Same browser, the Gatehouse session cookie is there: a fresh portal session signs in without the login page.
        await tab.Page.Context.ClearCookiesAsync(new() { Domain = "127.0.0.1", Name = "portal.session" });
        await tab.Page.GotoAsync(platform.Portal + "/signin");
        await tab.Page.WaitForURLAsync(platform.Portal + "/");
        Assert.Equal("Dave Davis", await tab.Page.Locator("#user-name").InnerTextAsync());
    }

    [Fact]
    public async Task LoginPage_RejectsAPostWithoutItsAntiforgeryToken()
    {
        await using var tab = await _chromium!.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync(platform.Portal + "/signin");
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(platform.Issuer) + "/login"));

        // A cross-site form post (CSRF): the same fields, no antiforgery token.
        var response = await page.APIRequest.PostAsync(page.Url, new()
        {
            Form = page.Context.APIRequest.CreateFormData().Set("username", "dr-alice").Set("password", platform.PasswordOf("dr-alice")),
            MaxRedirects = 0,
        });

        Assert.Equal(400, response.Status);
        var cookies = await page.Context.CookiesAsync([platform.Issuer]);
        Assert.DoesNotContain(cookies, c => c.Name.Contains("session", StringComparison.OrdinalIgnoreCase));
    }
}
