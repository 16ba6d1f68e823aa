using Microsoft.Playwright;

namespace Gatehouse.TestSupport;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright — for tests that need a real browser (the security report, OIDC
/// login). Nothing is downloaded: Playwright's node driver ships in its package and the browser is
/// <see cref="ExecutablePath"/>, which <c>./test.sh</c> installs with apt-get when it is missing.
/// Shared as a source file rather than a library, so no shipped package depends on Playwright: a test project adds
/// <c>&lt;PackageReference Include="Microsoft.Playwright" /&gt;</c> and
/// <c>&lt;Compile Include="..\Shared\HeadlessChromium.cs" Link="Shared\HeadlessChromium.cs" /&gt;</c> (the path from
/// that project's folder; this one is for tests/*). Launch once per test class (a class fixture), a page per test.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // Generous: the machine may be busy building; Playwright's default is 30 s.
    private const float LaunchTimeoutMs = 120_000;
    private const float ActionTimeoutMs = 60_000;

    private readonly IPlaywright playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Starts Chromium, or fails with how to install it.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException(
                $"Chromium is not installed ({ExecutablePath} is missing). Run ./test.sh, which installs it, or apt-get install chromium.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Timeout = LaunchTimeoutMs,
                // No sandbox: tests run as root here, which Chromium's sandbox refuses. The rest keeps it from calling home.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A page in a browser context of its own (own cookies and storage, so one test's session never leaks into
    /// another's) that records uncaught script errors and console errors.
    /// </summary>
    public async Task<BrowserPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(ActionTimeoutMs);
        context.SetDefaultNavigationTimeout(ActionTimeoutMs);
        return new BrowserPage(context, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        playwright.Dispose();
    }
}

/// <summary>A page and the errors its scripts raised; disposing closes its browser context.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private readonly List<string> scriptErrors = [];
    private readonly List<string> consoleErrors = [];

    public BrowserPage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.PageError += (_, error) => { lock (scriptErrors) scriptErrors.Add(error); };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                lock (consoleErrors) consoleErrors.Add(message.Text);
        };
    }

    public IPage Page { get; }

    /// <summary>Uncaught exceptions thrown by the page's scripts.</summary>
    public IReadOnlyList<string> ScriptErrors { get { lock (scriptErrors) return [.. scriptErrors]; } }

    /// <summary>Errors written to the console, including the browser's own (a blocked or failed resource load).</summary>
    public IReadOnlyList<string> ConsoleErrors { get { lock (consoleErrors) return [.. consoleErrors]; } }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
