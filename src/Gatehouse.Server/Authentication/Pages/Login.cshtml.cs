using Gatehouse.Server.Discovery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gatehouse.Server.Authentication.Pages;

/// <summary>Username and password. Razor Pages validate the antiforgery token of every POST (CSRF on the login form).</summary>
public sealed class LoginModel(
    PasswordSignIn passwords, SessionCookie sessions, SecondFactorCookie secondFactor, AuthorizationRequestReader reader, AuthorizationFlow flow)
    : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string Username { get; set; } = "";
    [BindProperty] public string Password { get; set; } = "";
    public string? ClientName { get; private set; }
    public string? ErrorMessage { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await RequestAsync() is { } request)
        {
            ClientName = request.Client.DisplayName;
            // OIDC Core §3.1.2.1: login_hint prefills the username.
            Username = request.LoginHint ?? "";
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ReturnUrlIsValid())
            return Page();
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password))
            return Fail("Enter your username and password.");
        var user = await passwords.VerifyAsync(Username, Password, HttpContext.RequestAborted);
        if (user is null)
            return Fail(PasswordSignIn.FailureMessage);

        if (user.ProtectedTotpSecret is not null)
        {
            secondFactor.Begin(HttpContext, user.Subject);
            return LocalRedirect(LocalUrl.WithReturnUrl(EndpointPaths.LoginTotp, ReturnUrl ?? EndpointPaths.Account));
        }
        var signedIn = await sessions.StartAsync(HttpContext, user, AuthenticationMethods.Password);
        var (url, error) = await flow.ResumeAsync(ReturnUrl, signedIn, Interaction.SignedIn, HttpContext.RequestAborted);
        return url is not null ? Redirect(url) : Fail(error!.Description);
    }

    private IActionResult Fail(string message)
    {
        ErrorMessage = message;
        Password = "";
        return Page();
    }

    private bool ReturnUrlIsValid()
    {
        if (ReturnUrl is null || LocalUrl.IsLocal(ReturnUrl))
            return true;
        ErrorMessage = "The address you came from is not valid here; start again from the application.";
        ReturnUrl = null;
        return false;
    }

    private async Task<AuthorizationRequest?> RequestAsync()
    {
        if (!ReturnUrlIsValid())
            return null;
        if (await reader.ResumeAsync(ReturnUrl, HttpContext.RequestAborted) is not var (request, failure))
            return null;
        if (failure is not null)
            ErrorMessage = failure.Error.Description;
        return request;
    }
}
