using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Authentication;

/// <summary>A logout request (OpenID Connect RP-Initiated Logout 1.0 §2) after validation.</summary>
/// <param name="HintSubject">The sub of a valid id_token_hint: the logout was asked for by a client this user signed in to.</param>
/// <param name="RedirectUri">The post_logout_redirect_uri, only when it exactly matches one registered for the client.</param>
public sealed record LogoutRequest(ClientDefinition? Client, string? HintSubject, string? RedirectUri, string? State);

/// <summary>
/// Validates logout requests and ends sessions: the session itself, its refresh tokens and the opaque access tokens
/// of their grants, and the cookie.
/// </summary>
public sealed class RpInitiatedLogout(
    ClientRegistry clients, SigningKeyRing keys, GatehouseOptions options, SessionStore sessions, RefreshTokenStore refreshTokens,
    AccessTokenStore accessTokens, SessionCookie cookie, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new();

    public async Task<LogoutRequest> ValidateAsync(string? idTokenHint, string? clientId, string? postLogoutRedirectUri, string? state)
    {
        var hint = idTokenHint is { Length: > 0 and <= TokenInspector.MaxTokenLength } ? await ValidateHintAsync(idTokenHint) : null;
        var client = clientId is null ? null : clients.Find(clientId);
        if (hint is not null)
        {
            var audiences = hint.Audiences.ToList();
            // §2: when both are sent, the client_id must be an audience of the ID token.
            if (clientId is not null && !audiences.Contains(clientId, StringComparer.Ordinal))
                return new LogoutRequest(null, null, null, null);
            client ??= audiences.Count == 1 ? clients.Find(audiences[0]) : null;
        }
        // §3: redirect only to a URI registered for this client, compared exactly; otherwise show our own page.
        var redirectUri = client is { Enabled: true } && postLogoutRedirectUri is not null && client.PostLogoutRedirectUris.Contains(postLogoutRedirectUri)
            ? postLogoutRedirectUri
            : null;
        return new LogoutRequest(client, hint?.Subject, redirectUri, state);
    }

    /// <summary>
    /// An ID token this server issued: signature by one of our keys and our issuer. §2: an expired ID token is still a
    /// valid hint, so the lifetime is not checked. Access tokens (typ at+jwt) are not ID tokens.
    /// </summary>
    private async Task<JsonWebToken?> ValidateHintAsync(string token)
    {
        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKeys = keys.ValidationKeys,
            ValidAlgorithms = SigningAlgorithms.All,
        });
        return result is { IsValid: true, SecurityToken: JsonWebToken jwt } && jwt.Typ != AccessTokenIssuer.AccessTokenType && !string.IsNullOrEmpty(jwt.Subject)
            ? jwt
            : null;
    }

    /// <summary>Ends the browser's session and revokes what was issued in it.</summary>
    public async Task SignOutAsync(HttpContext context, SignedInUser? user)
    {
        cookie.Delete(context);
        if (user is null)
            return;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var ct = context.RequestAborted;
        await sessions.EndAsync(user.Session.SessionId, now, ct);
        foreach (var grant in await refreshTokens.RevokeSessionAsync(user.Session.SessionId, now, ct))
            await accessTokens.RevokeGrantAsync(grant, now, ct);
    }

    public static string RedirectUrl(LogoutRequest request) =>
        request.State is null ? request.RedirectUri! : QueryHelpers.AddQueryString(request.RedirectUri!, "state", request.State);
}
