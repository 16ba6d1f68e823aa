using Gatehouse.Server.Discovery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gatehouse.Server.Authentication.Pages;

/// <summary>Where a sign-in without an application to return to lands.</summary>
public sealed class AccountModel(SessionCookie sessions) : PageModel
{
    public string Username { get; private set; } = "";
    public bool HasTotp { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await sessions.FindAsync(HttpContext) is not { } user)
            return LocalRedirect(LocalUrl.WithReturnUrl(EndpointPaths.Login, EndpointPaths.Account));
        Username = user.User.Username;
        HasTotp = user.User.ProtectedTotpSecret is not null;
        return Page();
    }
}
