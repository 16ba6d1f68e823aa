using System.Security.Cryptography;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Discovery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;

namespace Gatehouse.Server.Authentication.Pages;

/// <summary>
/// TOTP enrolment for the signed-in user. The new secret travels between the two requests in a hidden field,
/// encrypted and bound to the user; it is stored (encrypted with the key protector) only after a first valid code.
/// Changing a second factor needs a recent sign-in, so a stolen session cookie alone cannot replace it.
/// </summary>
public sealed class TotpEnrolmentModel(
    SessionCookie sessions, TotpAuthenticator totp, IDataProtectionProvider dataProtection, GatehouseOptions options, TimeProvider time)
    : PageModel
{
    private static readonly TimeSpan RecentSignIn = TimeSpan.FromMinutes(10);

    [BindProperty] public string ProtectedSecret { get; set; } = "";
    [BindProperty] public string Code { get; set; } = "";
    public string SecretText { get; private set; } = "";
    public string EnrolmentUri { get; private set; } = "";
    public string QrCodeDataUri { get; private set; } = "";
    public bool Enrolled { get; private set; }
    public string? ErrorMessage { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await RecentlySignedInAsync() is not { } user)
            return SignInAgain();
        var secret = TotpAuthenticator.NewSecret();
        Show(user, secret, Protector(user).Protect(secret));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await RecentlySignedInAsync() is not { } user)
            return SignInAgain();
        byte[] secret;
        try
        {
            secret = Protector(user).Unprotect(Convert.FromBase64String(ProtectedSecret));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return RedirectToPage();
        }
        if (!await totp.EnrolAsync(user.User.Subject, secret, Code, HttpContext.RequestAborted))
        {
            ErrorMessage = "The code is not valid. Enter the code your app shows now.";
            Show(user, secret, Convert.FromBase64String(ProtectedSecret));
            return Page();
        }
        Enrolled = true;
        return Page();
    }

    private void Show(SignedInUser user, byte[] secret, byte[] protectedSecret)
    {
        ProtectedSecret = Convert.ToBase64String(protectedSecret);
        SecretText = TotpAuthenticator.FormatSecret(secret);
        EnrolmentUri = TotpAuthenticator.EnrolmentUri(new Uri(options.Issuer).Host, user.User.Username, secret);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(EnrolmentUri, QRCodeGenerator.ECCLevel.M);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
    }

    private IDataProtector Protector(SignedInUser user) =>
        dataProtection.CreateProtector("Gatehouse.Authentication.TotpEnrolment", user.User.Subject);

    private async Task<SignedInUser?> RecentlySignedInAsync() =>
        await sessions.FindAsync(HttpContext) is { } user && time.GetUtcNow().ToUnixTimeSeconds() - user.Session.AuthTime <= RecentSignIn.TotalSeconds
            ? user
            : null;

    private IActionResult SignInAgain() =>
        LocalRedirect(LocalUrl.WithReturnUrl(EndpointPaths.Login, EndpointPaths.TotpEnrolment));
}
