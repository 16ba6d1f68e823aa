using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Server.Authentication.Pages;

/// <summary>
/// The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0), GET or POST from a client. With a valid
/// id_token_hint for the signed-in user the session ends at once; otherwise the user confirms with a button, so that a
/// third-party page cannot sign the user out (logout CSRF, §6). The client's form posts carry no antiforgery token, so
/// only the confirmation handler checks one.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class LogoutModel(RpInitiatedLogout logout, SessionCookie sessions, IAntiforgery antiforgery) : PageModel
{
    public bool SignedOut { get; private set; }
    public string? ClientName { get; private set; }
    public string? ClientId { get; private set; }
    public string? PostLogoutRedirectUri { get; private set; }
    public string? State { get; private set; }

    public Task<IActionResult> OnGetAsync() => HandleAsync(name => Request.Query[name]);

    public Task<IActionResult> OnPostAsync() => HandleAsync(FormValue);

    public async Task<IActionResult> OnPostConfirmAsync()
    {
        if (!await antiforgery.IsRequestValidAsync(HttpContext))
            return BadRequest();
        var request = await logout.ValidateAsync(null, Single(FormValue("client_id")), Single(FormValue("post_logout_redirect_uri")), Single(FormValue("state")));
        await logout.SignOutAsync(HttpContext, await sessions.FindAsync(HttpContext));
        return SignedOutResult(request);
    }

    private async Task<IActionResult> HandleAsync(Func<string, StringValues> parameter)
    {
        var request = await logout.ValidateAsync(Single(parameter("id_token_hint")), Single(parameter("client_id")),
            Single(parameter("post_logout_redirect_uri")), Single(parameter("state")));
        var user = await sessions.FindAsync(HttpContext);
        if (user is null || request.HintSubject == user.User.Subject)
        {
            await logout.SignOutAsync(HttpContext, user);
            return SignedOutResult(request);
        }
        ClientName = request.Client?.DisplayName;
        ClientId = request.Client?.ClientId;
        PostLogoutRedirectUri = request.RedirectUri;
        State = request.State;
        return Page();
    }

    private IActionResult SignedOutResult(LogoutRequest request)
    {
        if (request.RedirectUri is not null)
            return Redirect(RpInitiatedLogout.RedirectUrl(request));
        SignedOut = true;
        return Page();
    }

    private StringValues FormValue(string name) => Request.HasFormContentType ? Request.Form[name] : StringValues.Empty;

    private static string? Single(StringValues values) =>
        values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
