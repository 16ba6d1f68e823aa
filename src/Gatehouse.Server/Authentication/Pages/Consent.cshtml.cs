using Gatehouse.Server.Configuration;
using Gatehouse.Server.Discovery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gatehouse.Server.Authentication.Pages;

/// <summary>OIDC Core §3.1.2.4: the user allows or denies the scopes a client asked for.</summary>
public sealed class ConsentModel(
    SessionCookie sessions, AuthorizationRequestReader reader, AuthorizationFlow flow, ConsentStore consents, GatehouseOptions options, TimeProvider time)
    : PageModel
{
    public sealed record ScopeDescription(string Name, string? Description);

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string ClientName { get; private set; } = "the application";
    public string Username { get; private set; } = "";
    public IReadOnlyList<ScopeDescription> Scopes { get; private set; } = [];
    public string? ErrorMessage { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await sessions.FindAsync(HttpContext) is not { } user)
            return SignInFirst();
        if (await RequestAsync() is not { } request)
            return Page();
        ClientName = request.Client.DisplayName;
        Username = user.User.Username;
        Scopes = request.Scopes.Select(s => new ScopeDescription(s, options.Scopes.GetValueOrDefault(s)?.Description)).ToArray();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? decision)
    {
        if (await sessions.FindAsync(HttpContext) is not { } user)
            return SignInFirst();
        if (await RequestAsync() is not { } request)
            return Page();
        if (decision != "allow")
            // RFC 6749 §4.1.2.1: the resource owner denied the request.
            return Redirect(flow.Error(request, AuthorizationErrorCodes.AccessDenied, "The user denied the request."));
        await consents.GrantAsync(user.User.Subject, request.Client.ClientId, request.Scopes, time.GetUtcNow().ToUnixTimeSeconds(), HttpContext.RequestAborted);
        // The user reached this page signed in, through the checks of the authorization endpoint or the login page.
        return Redirect(await flow.ContinueAsync(request, user, Interaction.SignedIn | Interaction.Consented, HttpContext.RequestAborted));
    }

    private IActionResult SignInFirst() =>
        LocalRedirect(LocalUrl.WithReturnUrl(EndpointPaths.Login, ReturnUrl));

    private async Task<AuthorizationRequest?> RequestAsync()
    {
        if (await reader.ResumeAsync(ReturnUrl, HttpContext.RequestAborted) is not var (request, failure))
        {
            ErrorMessage = "There is no sign-in request to allow; start again from the application.";
            return null;
        }
        if (failure is not null)
            ErrorMessage = failure.Error.Description;
        return request;
    }
}
