using Gatehouse.Server.Discovery;
using Gatehouse.Server.Users;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gatehouse.Server.Authentication.Pages;

/// <summary>The second step for users with TOTP: only after the right password (the second-factor cookie).</summary>
public sealed class LoginTotpModel(
    SecondFactorCookie secondFactor, UserStore users, PasswordSignIn passwords, TotpAuthenticator totp, SessionCookie sessions, AuthorizationFlow flow)
    : PageModel
{
    public const string FailureMessage = "The code is not valid. Enter the current code from your authenticator app.";

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string Code { get; set; } = "";
    public string? ErrorMessage { get; private set; }

    public IActionResult OnGet() => secondFactor.PendingSubject(HttpContext) is null ? StartOver() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (secondFactor.PendingSubject(HttpContext) is not { } subject)
            return StartOver();
        var user = await users.FindBySubjectAsync(subject, HttpContext.RequestAborted);
        if (user is not { Enabled: true } || passwords.IsLockedOut(user))
            return StartOver();
        if (!await totp.VerifyAsync(user, Code, HttpContext.RequestAborted))
        {
            await passwords.RecordFailureAsync(user, HttpContext.RequestAborted);
            ErrorMessage = FailureMessage;
            return Page();
        }

        secondFactor.End(HttpContext);
        var signedIn = await sessions.StartAsync(HttpContext, user, AuthenticationMethods.PasswordAndTotp);
        var (url, error) = await flow.ResumeAsync(LocalUrl.IsLocal(ReturnUrl) ? ReturnUrl : null, signedIn, Interaction.SignedIn, HttpContext.RequestAborted);
        if (url is not null)
            return Redirect(url);
        ErrorMessage = error!.Description;
        return Page();
    }

    private IActionResult StartOver() =>
        LocalRedirect(LocalUrl.WithReturnUrl(EndpointPaths.Login, ReturnUrl));
}
