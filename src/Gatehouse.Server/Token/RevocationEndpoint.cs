using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Http;
using Gatehouse.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Token;

/// <summary>
/// Token revocation (RFC 7009) of access and refresh tokens. A client may revoke only tokens issued to it (§2.1); an
/// unknown, expired or already revoked token is answered with 200 like a successful revocation (§2.2), so the caller
/// learns nothing.
/// </summary>
public sealed class RevocationEndpoint(
    ClientAuthenticator authenticator, TokenInspector inspector, AccessTokenStore store, RefreshTokenStore refreshTokens,
    GrantRevoker grants, TimeProvider time) : IEndpointHandler
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await authenticator.ReadAuthenticatedRequestAsync(context) is not (var form, var client))
            return;
        var token = form["token"];
        if (token is null)
        {
            await OAuthResponses.WriteErrorAsync(context, OAuthError.InvalidRequest("The token parameter is missing."));
            return;
        }

        var active = await inspector.InspectAsync(token, context.RequestAborted);
        if (active is null && token.Length == OpaqueToken.Length
            && await refreshTokens.FindAsync(TokenHash.Sha256(token), context.RequestAborted) is { RevokedAt: null } refresh)
        {
            if (refresh.ClientId != client.ClientId)
            {
                await OAuthResponses.WriteErrorAsync(context, OAuthError.UnauthorizedClient("The token was not issued to this client."));
                return;
            }
            // §2.1: revoking a refresh token also invalidates the access tokens of the same grant.
            await grants.RevokeAsync(refresh.GrantId, CancellationToken.None);
        }
        if (active is not null && active.ClientId != client.ClientId)
        {
            await OAuthResponses.WriteErrorAsync(context, OAuthError.UnauthorizedClient("The token was not issued to this client."));
            return;
        }
        if (active is not null)
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            if (active.OpaqueHash is not null)
                await store.RevokeAsync(active.OpaqueHash, client.ClientId, now, context.RequestAborted);
            else
                await store.RevokeJwtAsync(new RevokedJwtRecord { Jti = active.Parsed.Id, ClientId = client.ClientId, ExpiresAt = active.ExpiresAt, RevokedAt = now }, context.RequestAborted);
        }
        OAuthResponses.NoStore(context.Response);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
