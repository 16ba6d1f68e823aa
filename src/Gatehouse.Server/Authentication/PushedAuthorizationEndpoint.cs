using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Http;
using Gatehouse.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// The pushed authorization request endpoint (RFC 9126 §2): the client authenticates, sends the authorization request
/// parameters in the body, and gets a one-time request_uri to send the browser to the authorization endpoint with.
/// </summary>
public sealed class PushedAuthorizationEndpoint(
    ClientAuthenticator authenticator, AuthorizationRequestValidator validator, PushedAuthorizationRequestStore store,
    AuthenticationOptions options, TimeProvider time) : IEndpointHandler
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await authenticator.ReadAuthenticatedRequestAsync(context) is not (var form, var client))
            return;

        // RFC 9126 §2.1: the same rules as at the authorization endpoint; request_uri itself must not be pushed.
        var parameters = AuthorizationParameters.From(form);
        var (_, failure) = validator.Validate(parameters, AuthorizationRequestSource.Push, client);
        if (failure is not null)
        {
            // RFC 9126 §2.3: errors are answered here, as at the token endpoint, never redirected.
            await OAuthResponses.WriteErrorAsync(context, failure.Error);
            return;
        }

        var reference = OpaqueToken.Create();
        var expiresIn = (long)options.PushedRequestLifetime.TotalSeconds;
        await store.AddAsync(new PushedAuthorizationRequestRecord
        {
            Hash = TokenHash.Sha256(reference),
            ClientId = client.ClientId,
            Parameters = parameters.ToJson(),
            ExpiresAt = time.GetUtcNow().ToUnixTimeSeconds() + expiresIn,
        }, context.RequestAborted);

        // RFC 9126 §2.2.
        context.Response.StatusCode = StatusCodes.Status201Created;
        OAuthResponses.NoStore(context.Response);
        await OAuthResponses.WriteJsonAsync(context.Response, w =>
        {
            w.WriteString("request_uri", AuthorizationRequestValidator.PushedRequestUriPrefix + reference);
            w.WriteNumber("expires_in", expiresIn);
        });
    }
}
