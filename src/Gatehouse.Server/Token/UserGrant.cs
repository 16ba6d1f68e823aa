using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Token;

/// <summary>
/// What a user authorized a client to receive, as carried from the authorization code into every refresh token of
/// the same family: one grant id identifies all tokens issued from it, so they can be revoked together.
/// </summary>
public sealed record UserGrant(string GrantId, string Subject, string SessionId, long AuthTime, string Amr)
{
    public const string OpenIdScope = "openid";

    /// <summary>RFC 8176 values, stored space-separated.</summary>
    public string[] AmrValues => Amr.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The authentication context class, derived from the methods used: two factors (RFC 8176 <c>mfa</c>) or one.
    /// Values are Gatehouse's own URNs (OIDC Core §2 allows any absolute URI).
    /// </summary>
    public string Acr => AmrValues.Contains("mfa", StringComparer.Ordinal) ? AuthenticationContextClasses.Mfa : AuthenticationContextClasses.Password;

    public static UserGrant From(AuthorizationCodeRecord code) => new(code.GrantId, code.Subject, code.SessionId, code.AuthTime, code.Amr);

    public static UserGrant From(RefreshTokenRecord token) => new(token.GrantId, token.Subject, token.SessionId, token.AuthTime, token.Amr);
}

public static class AuthenticationContextClasses
{
    public const string Password = "urn:gatehouse:acr:pwd";
    public const string Mfa = "urn:gatehouse:acr:mfa";

    public static readonly IReadOnlyList<string> All = [Password, Mfa];
}
