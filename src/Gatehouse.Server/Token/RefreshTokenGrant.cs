using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Scopes;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Http;
using Gatehouse.Server.Users;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Token;

/// <summary>
/// The refresh_token grant (RFC 6749 §6) with rotation: every use marks the token rotated and issues the next one of
/// the same family; presenting a rotated token again revokes the family and its access tokens (RFC 9700 §4.14.2).
/// </summary>
public sealed class RefreshTokenGrant(
    RefreshTokenStore refreshTokens, UserStore users, UserTokenIssuer issuer, GrantRevoker revoker, TimeProvider time,
    ILogger<RefreshTokenGrant> logger)
{
    private static readonly OAuthError Invalid = OAuthError.InvalidGrant("The refresh token is invalid, expired, revoked or was issued to another client.");

    public async Task<GrantResult> RefreshAsync(ClientDefinition client, OAuthForm form, CancellationToken ct)
    {
        if (!client.GrantTypes.Contains(GrantTypes.RefreshToken))
            return OAuthError.UnauthorizedClient("The client may not use the refresh_token grant.");
        if (form["refresh_token"] is not { } value)
            return OAuthError.InvalidRequest("The refresh_token parameter is missing.");

        var hash = TokenHash.Sha256(value);
        var token = await refreshTokens.FindAsync(hash, ct);
        if (token is null || token.ClientId != client.ClientId || token.RevokedAt is not null)
            return Invalid;
        if (token.RotatedAt is not null)
        {
            // RFC 9700 §4.14.2: the server cannot tell whether the client or an attacker holds the newer token,
            // so it revokes the active one: the family and the access tokens issued from the grant.
            logger.LogWarning("Rotated refresh token reused by client {ClientId}; revoking grant {GrantId}.", client.ClientId, token.GrantId);
            await revoker.RevokeAsync(token.GrantId, CancellationToken.None);
            return Invalid;
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (token.ExpiresAt <= now)
            return Invalid;

        // RFC 6749 §6: the scope may shrink for this access token, never grow beyond the grant.
        var granted = token.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (ScopeSet.TryNarrow(form["scope"], granted, "was not granted", out var scopes) is { } scopeError)
            return scopeError;

        if (await users.FindBySubjectAsync(token.Subject, ct) is not { Enabled: true } user)
            return Invalid;

        // Of concurrent uses of one token exactly one rotates it; the others fail without revoking anything, since
        // the token was still current when they presented it. A later use of it is a reuse (above).
        if (!await refreshTokens.TryRotateAsync(hash, now, ct))
            return Invalid;

        var grant = UserGrant.From(token);
        var tokens = await issuer.IssueAsync(client, grant, user, scopes, token.Scope, nonce: null, ct);

        // A reuse detected while these tokens were being stored revoked the family before they existed: revoke again.
        if ((await refreshTokens.FindAsync(hash, CancellationToken.None))?.RevokedAt is not null)
            await revoker.RevokeAsync(grant.GrantId, CancellationToken.None);
        return tokens;
    }
}
