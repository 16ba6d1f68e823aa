using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gatehouse.Server.Authentication.Pages;

/// <summary>
/// The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2): GET with a query or POST with a form. It carries no
/// antiforgery token because clients, not our pages, send it; it changes nothing before the user acts on a page.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class AuthorizeModel(AuthorizationRequestReader reader, AuthorizationFlow flow, AuthorizationResponses responses, SessionCookie sessions)
    : PageModel
{
    public string ErrorCode { get; private set; } = "";
    public string ErrorDescription { get; private set; } = "";

    public Task<IActionResult> OnGetAsync() => HandleAsync();

    public Task<IActionResult> OnPostAsync() => HandleAsync();

    private async Task<IActionResult> HandleAsync()
    {
        var (request, failure) = await reader.ReadAsync(HttpContext);
        if (failure is not null)
        {
            if (failure.Redirects)
                return Redirect(responses.Error(failure));
            (ErrorCode, ErrorDescription) = (failure.Error.Code, failure.Error.Description);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var user = await sessions.FindAsync(HttpContext);
        return Redirect(await flow.ContinueAsync(request!, user, Interaction.None, HttpContext.RequestAborted));
    }
}
