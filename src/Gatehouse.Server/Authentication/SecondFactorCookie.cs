using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// Remembers, for a few minutes, that a browser gave the right password of a user who also has a second factor.
/// The value is encrypted and authenticated with ASP.NET Core data protection; it is not a session.
/// </summary>
public sealed class SecondFactorCookie(IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string Name = "gatehouse.2fa";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Gatehouse.Authentication.SecondFactor");

    public void Begin(HttpContext context, string subject)
    {
        var expires = time.GetUtcNow() + Lifetime;
        var value = _protector.Protect($"{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}|{subject}");
        context.Response.Cookies.Append(Name, value, new CookieOptions
        {
            HttpOnly = true, Secure = context.Request.IsHttps, SameSite = SameSiteMode.Strict, Path = "/login", Expires = expires, IsEssential = true,
        });
    }

    /// <summary>The subject whose password was verified, or null when there is none or it expired.</summary>
    public string? PendingSubject(HttpContext context)
    {
        if (context.Request.Cookies[Name] is not { } value)
            return null;
        string payload;
        try
        {
            payload = _protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var separator = payload.IndexOf('|');
        if (separator < 0 || !long.TryParse(payload[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires <= time.GetUtcNow().ToUnixTimeSeconds())
            return null;
        return payload[(separator + 1)..];
    }

    public void End(HttpContext context) => context.Response.Cookies.Delete(Name, new CookieOptions { Path = "/login" });
}
