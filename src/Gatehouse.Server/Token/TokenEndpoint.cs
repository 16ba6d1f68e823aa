using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Scopes;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Http;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Token;

/// <summary>The token endpoint (RFC 6749 §3.2). Grants: authorization_code (§4.1.3), refresh_token (§6), client_credentials (§4.4).</summary>
public sealed class TokenEndpoint(
    ClientAuthenticator authenticator, AccessTokenIssuer issuer, AuthorizationCodeGrant authorizationCode, RefreshTokenGrant refreshToken) : IEndpointHandler
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await authenticator.ReadAuthenticatedRequestAsync(context) is not (var form, var client))
            return;

        var grantType = form["grant_type"];
        var result = grantType switch
        {
            null => OAuthError.InvalidRequest("The grant_type parameter is missing."),
            GrantTypes.AuthorizationCode => await authorizationCode.ExchangeAsync(client, form, context.RequestAborted),
            GrantTypes.RefreshToken => await refreshToken.RefreshAsync(client, form, context.RequestAborted),
            GrantTypes.ClientCredentials => await ClientCredentialsAsync(client, form, context.RequestAborted),
            _ => (GrantResult)OAuthError.UnsupportedGrantType($"The grant type '{OAuthError.Echo(grantType)}' is not supported."),
        };
        if (result.Error is not null)
        {
            await OAuthResponses.WriteErrorAsync(context, result.Error);
            return;
        }

        // RFC 6749 §5.1, OIDC Core §3.1.3.3.
        var (token, idToken, refresh) = result.Tokens!;
        OAuthResponses.NoStore(context.Response);
        await OAuthResponses.WriteJsonAsync(context.Response, w =>
        {
            w.WriteString("access_token", token.Value);
            w.WriteString("token_type", "Bearer");
            w.WriteNumber("expires_in", token.ExpiresIn);
            if (token.Scope.Length > 0)
                w.WriteString("scope", token.Scope);
            if (idToken is not null)
                w.WriteString("id_token", idToken);
            if (refresh is not null)
                w.WriteString("refresh_token", refresh);
        });
    }

    /// <summary>RFC 6749 §4.4: the client is the resource owner; sub is its client_id.</summary>
    private async Task<GrantResult> ClientCredentialsAsync(ClientDefinition client, OAuthForm form, CancellationToken ct)
    {
        if (!client.GrantTypes.Contains(GrantTypes.ClientCredentials))
            return OAuthError.UnauthorizedClient("The client may not use the client_credentials grant.");
        if (ScopeSet.TryNarrow(form["scope"], client.Scopes, "is not allowed for this client", out var scopes) is { } scopeError)
            return scopeError;
        return new TokenResponse(await issuer.IssueAsync(client, client.ClientId, scopes, client.Claims, ct));
    }
}
