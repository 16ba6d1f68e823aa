using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Token;

/// <summary>A successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).</summary>
public sealed record TokenResponse(IssuedAccessToken AccessToken, string? IdToken = null, string? RefreshToken = null);

/// <summary>
/// Issues what a user's grant yields, for the authorization_code and refresh_token grants alike: an access token
/// carrying the grant id, an ID token when <c>openid</c> is among the scopes, and a refresh token of the grant's
/// family when the client may use the refresh_token grant.
/// </summary>
public sealed class UserTokenIssuer(AccessTokenIssuer accessTokens, IdTokenIssuer idTokens, RefreshTokenStore refreshTokens, TimeProvider time)
{
    /// <param name="scopes">The scopes of the access token (a refresh may ask for fewer).</param>
    /// <param name="grantScope">The scope of the whole grant, kept by the new refresh token (RFC 6749 §6).</param>
    public async Task<TokenResponse> IssueAsync(ClientDefinition client, UserGrant grant, UserRecord user, IReadOnlyList<string> scopes,
        string grantScope, string? nonce, CancellationToken ct)
    {
        var userClaims = UserClaims.Parse(user.Claims);
        var accessToken = await accessTokens.IssueAsync(client, user.Subject, scopes, userClaims, ct, grant);
        var idToken = scopes.Contains(UserGrant.OpenIdScope, StringComparer.Ordinal)
            ? idTokens.Issue(client, grant, userClaims, accessToken.Value, nonce)
            : null;

        string? refreshToken = null;
        if (client.GrantTypes.Contains(GrantTypes.RefreshToken))
        {
            refreshToken = OpaqueToken.Create();
            var now = time.GetUtcNow();
            await refreshTokens.AddAsync(new RefreshTokenRecord
            {
                Hash = TokenHash.Sha256(refreshToken),
                GrantId = grant.GrantId,
                ClientId = client.ClientId,
                Subject = grant.Subject,
                SessionId = grant.SessionId,
                Scope = grantScope,
                AuthTime = grant.AuthTime,
                Amr = grant.Amr,
                IssuedAt = now.ToUnixTimeSeconds(),
                ExpiresAt = (now + client.RefreshTokenLifetime).ToUnixTimeSeconds(),
            }, ct);
        }
        return new TokenResponse(accessToken, idToken, refreshToken);
    }
}

/// <summary>
/// Recalls everything issued from a user's grant, or from all of a user's grants: the refresh tokens and the opaque
/// access tokens. JWT access tokens are not in the store and stay valid until they expire.
/// </summary>
public sealed class GrantRevoker(RefreshTokenStore refreshTokens, AccessTokenStore accessTokens, SessionStore sessions, TimeProvider time)
{
    public async Task RevokeAsync(string grantId, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await refreshTokens.RevokeGrantAsync(grantId, now, ct);
        await accessTokens.RevokeGrantAsync(grantId, now, ct);
    }

    /// <summary>A disabled user keeps nothing: sessions end, refresh and opaque access tokens stop being active.</summary>
    public async Task RevokeUserAsync(string subject, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await sessions.EndSubjectAsync(subject, now, ct);
        await refreshTokens.RevokeSubjectAsync(subject, now, ct);
        await accessTokens.RevokeSubjectAsync(subject, now, ct);
    }
}
