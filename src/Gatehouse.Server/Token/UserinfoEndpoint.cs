using Gatehouse.Server.Admin;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Http;
using Gatehouse.Server.Users;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Token;

/// <summary>
/// The UserInfo endpoint (OIDC Core §5.3): for an access token with the <c>openid</c> scope, the user's claims that
/// the token's scopes release, read from the user's current attributes and shaped by the client's claim mappings.
/// Errors are RFC 6750 §3 challenges.
/// </summary>
public sealed class UserinfoEndpoint(BearerTokenAuthorizer authorizer, UserStore users, ClientRegistry clients, ClaimRelease claimRelease) : IEndpointHandler
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await authorizer.AuthorizeAsync(context, UserGrant.OpenIdScope, acceptFormBody: true) is not { } token)
            return;

        // Only tokens from a user's grant carry auth_time; a client_credentials token stands for no user.
        var jwt = token.Parsed;
        if (!jwt.TryGetPayloadValue<long>("auth_time", out _)
            || await users.FindBySubjectAsync(jwt.Subject, context.RequestAborted) is not { Enabled: true } user
            || clients.Find(token.ClientId) is not { Enabled: true } client)
        {
            await BearerTokenAuthorizer.RejectTokenAsync(context);
            return;
        }

        var scopes = jwt.TryGetPayloadValue<string>("scope", out var scope) ? scope.Split(' ') : [];
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        claimRelease.AddReleasedClaims(claims, client, scopes, UserClaims.Parse(user.Claims));

        OAuthResponses.NoStore(context.Response);
        await OAuthResponses.WriteJsonAsync(context.Response, w =>
        {
            // §5.3.2: sub is always returned and must equal the ID token's.
            w.WriteString("sub", user.Subject);
            foreach (var (name, value) in claims)
            {
                if (value is string[] values)
                {
                    w.WriteStartArray(name);
                    foreach (var v in values)
                        w.WriteStringValue(v);
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString(name, (string)value);
                }
            }
        });
    }
}
