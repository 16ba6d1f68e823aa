using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// Turns what arrived at the authorization endpoint (query, form body, or a request_uri from PAR) into a validated
/// request. The pages of the flow resume a request the same way, from its <see cref="AuthorizationRequest.ReturnUrl"/>.
/// </summary>
public sealed class AuthorizationRequestReader(
    AuthorizationRequestValidator validator, ClientRegistry clients, PushedAuthorizationRequestStore pushedRequests,
    GatehouseOptions options, TimeProvider time)
{
    /// <summary>OIDC Core §3.1.2.1: the authorization endpoint accepts GET with a query and POST with a form body.</summary>
    public async Task<(AuthorizationRequest? Request, AuthorizationFailure? Failure)> ReadAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
            return await ReadAsync(AuthorizationParameters.From(context.Request.Query), context.RequestAborted);
        // A form that repeats a parameter is refused as a whole, before its client_id or redirect_uri can be trusted.
        var (form, error) = await OAuthForm.ReadAsync(context, options.Endpoints.MaxRequestBodyBytes);
        return form is null
            ? (null, new AuthorizationFailure(error!))
            : await ReadAsync(AuthorizationParameters.From(form), context.RequestAborted);
    }

    /// <summary>Resumes a request from a return URL; null when the URL is not one of ours.</summary>
    public async Task<(AuthorizationRequest? Request, AuthorizationFailure? Failure)?> ResumeAsync(string? returnUrl, CancellationToken ct)
    {
        if (!IsAuthorizeUrl(returnUrl))
            return null;
        var query = QueryHelpers.ParseQuery(returnUrl![returnUrl!.IndexOf('?')..]);
        return await ReadAsync(AuthorizationParameters.From(query), ct);
    }

    public static bool IsAuthorizeUrl(string? url) =>
        url is not null && url.StartsWith(Discovery.EndpointPaths.Authorize + "?", StringComparison.Ordinal);

    public async Task<(AuthorizationRequest? Request, AuthorizationFailure? Failure)> ReadAsync(AuthorizationParameters p, CancellationToken ct)
    {
        if (p[AuthorizationParameters.RequestUri] is not { } requestUri || p.Repeated.Contains(AuthorizationParameters.RequestUri))
            return validator.Validate(p, AuthorizationRequestSource.Direct);

        // RFC 9126 §4: the request is the pushed one; of the other parameters only client_id counts, and it must match.
        // Until the pushed request is loaded its redirect_uri is unknown, so these errors are shown, not redirected.
        if (p[AuthorizationParameters.ClientId] is not { } clientId || clients.Find(clientId) is not { Enabled: true } client)
            return (null, new AuthorizationFailure(OAuthError.InvalidRequest("A request_uri needs the client_id of a known client.")));
        if (!requestUri.StartsWith(AuthorizationRequestValidator.PushedRequestUriPrefix, StringComparison.Ordinal))
            return (null, new AuthorizationFailure(new OAuthError(AuthorizationErrorCodes.RequestUriNotSupported,
                "Only request_uri values from the pushed authorization request endpoint are accepted.")));
        var hash = TokenHash.Sha256(requestUri[AuthorizationRequestValidator.PushedRequestUriPrefix.Length..]);
        var stored = await pushedRequests.FindAsync(hash, client.ClientId, time.GetUtcNow().ToUnixTimeSeconds(), ct);
        if (stored is null)
            return (null, new AuthorizationFailure(new OAuthError(AuthorizationErrorCodes.InvalidRequestUri,
                "The request_uri is unknown, expired, already used, or belongs to another client.")));
        return validator.Validate(AuthorizationParameters.FromJson(stored.Parameters), AuthorizationRequestSource.Pushed, client, new PushedRequestReference(requestUri, hash));
    }
}
