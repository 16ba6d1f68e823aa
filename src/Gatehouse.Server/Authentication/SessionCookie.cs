using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Authentication;

/// <summary>A signed-in browser: its session and the user, who still exists and is enabled.</summary>
public sealed record SignedInUser(UserSessionRecord Session, UserRecord User);

/// <summary>
/// The single sign-on session cookie. Its value is a random opaque token; the store keeps only its SHA-256, so a
/// leaked database does not hand out sessions. A new value on every sign-in prevents session fixation.
/// </summary>
public sealed class SessionCookie(SessionStore sessions, UserStore users, AuthenticationOptions options, TimeProvider time)
{
    public const string Name = "gatehouse.session";

    public async Task<SignedInUser?> FindAsync(HttpContext context)
    {
        if (context.Request.Cookies[Name] is not { Length: OpaqueToken.Length } value)
            return null;
        var session = await sessions.FindActiveAsync(TokenHash.Sha256(value), time.GetUtcNow().ToUnixTimeSeconds(), context.RequestAborted);
        if (session is null)
            return null;
        var user = await users.FindBySubjectAsync(session.Subject, context.RequestAborted);
        return user is { Enabled: true } ? new SignedInUser(session, user) : null;
    }

    /// <param name="amr">Authentication methods (RFC 8176), space-separated.</param>
    public async Task<SignedInUser> StartAsync(HttpContext context, UserRecord user, string amr)
    {
        var now = time.GetUtcNow();
        var value = OpaqueToken.Create();
        var session = new UserSessionRecord
        {
            Hash = TokenHash.Sha256(value),
            SessionId = OpaqueToken.Create(),
            Subject = user.Subject,
            AuthTime = now.ToUnixTimeSeconds(),
            Amr = amr,
            ExpiresAt = (now + options.SessionLifetime).ToUnixTimeSeconds(),
        };
        await sessions.AddAsync(session, context.RequestAborted);
        context.Response.Cookies.Append(Name, value, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            // Lax: the cookie comes along on the top-level GET from the client to /authorize, not on cross-site POSTs.
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Expires = now + options.SessionLifetime,
            IsEssential = true,
        });
        return new SignedInUser(session, user);
    }

    public void Delete(HttpContext context) =>
        context.Response.Cookies.Delete(Name, new CookieOptions { Path = "/", Secure = context.Request.IsHttps, SameSite = SameSiteMode.Lax, HttpOnly = true });
}

/// <summary>Authentication methods (RFC 8176) as stored on a session.</summary>
public static class AuthenticationMethods
{
    public const string Password = "pwd";
    public const string PasswordAndTotp = "pwd otp mfa";
}
