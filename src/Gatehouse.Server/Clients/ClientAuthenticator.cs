using Gatehouse.Protocol.Clients;
using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Http;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Clients;

/// <summary>
/// Authenticates a confidential client at the token, introspection, revocation and PAR endpoints with
/// client_secret_basic or client_secret_post (RFC 6749 §2.3.1), and identifies a public client by its client_id
/// alone. Every failure is the same invalid_client, so a caller cannot tell an unknown client from a wrong secret or
/// a disabled client.
/// </summary>
public sealed class ClientAuthenticator(ClientRegistry clients, GatehouseOptions options)
{
    // Compared against when the client is unknown, so that unknown and known clients take the same time.
    private static readonly string UnknownClientHash = TokenHash.Sha256(Guid.NewGuid().ToString());

    /// <summary>
    /// The common start of the token, introspection and revocation endpoints: read the form strictly and authenticate
    /// the client. On failure the error response is already written and null is returned.
    /// </summary>
    public async Task<(OAuthForm Form, ClientDefinition Client)?> ReadAuthenticatedRequestAsync(HttpContext context)
    {
        var (form, formError) = await OAuthForm.ReadAsync(context, options.Endpoints.MaxRequestBodyBytes);
        if (form is null)
        {
            await OAuthResponses.WriteErrorAsync(context, formError!);
            return null;
        }
        var (client, authError) = Authenticate(context, form);
        if (client is null)
        {
            await OAuthResponses.WriteErrorAsync(context, authError!);
            return null;
        }
        return (form, client);
    }

    public (ClientDefinition? Client, OAuthError? Error) Authenticate(HttpContext context, OAuthForm form)
    {
        var headers = context.Request.Headers.Authorization;
        if (headers.Count > 1)
            return (null, OAuthError.InvalidRequest("More than one Authorization header was sent."));

        string clientId, secret;
        var header = headers.Count == 1 ? headers[0] ?? "" : "";
        if (ClientSecretBasic.IsBasic(header))
        {
            // RFC 6749 §2.3: a client must not use more than one authentication method in a request.
            if (form.Has("client_secret"))
                return (null, OAuthError.InvalidRequest("The client used both client_secret_basic and client_secret_post."));
            if (!ClientSecretBasic.TryParse(header, out clientId, out secret, out var parseError))
                return (null, OAuthError.InvalidClient(parseError));
            if (form["client_id"] is { } formId && formId != clientId)
                return (null, OAuthError.InvalidRequest("client_id in the body differs from the Basic credentials."));
        }
        else if (form["client_id"] is { } postId && form["client_secret"] is { } postSecret)
        {
            clientId = postId;
            secret = postSecret;
        }
        else if (form["client_id"] is { } publicId && clients.Find(publicId) is { IsPublic: true, Enabled: true } publicClient)
        {
            // token_endpoint_auth_method "none" (RFC 7591 §2): a public client only identifies itself (RFC 6749 §3.2.1).
            return (publicClient, null);
        }
        else
        {
            return (null, OAuthError.InvalidClient("Client authentication is required (client_secret_basic or client_secret_post)."));
        }

        var client = clients.Find(clientId);
        // A public client has no secret to check; it is authenticated by other means (PKCE) on the grants it may use.
        var secretMatches = TokenHash.Matches(secret, client?.SecretHash ?? UnknownClientHash);
        if (client is null || !client.Enabled || !secretMatches)
            return (null, OAuthError.InvalidClient("Client authentication failed."));
        return (client, null);
    }
}
