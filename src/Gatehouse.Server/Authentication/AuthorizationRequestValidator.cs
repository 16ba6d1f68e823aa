using System.Globalization;
using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Pkce;
using Gatehouse.Protocol.Scopes;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Token;

namespace Gatehouse.Server.Authentication;

/// <summary>Where the parameters came from; a few rules depend on it.</summary>
public enum AuthorizationRequestSource
{
    /// <summary>The query or form of the authorization endpoint.</summary>
    Direct,
    /// <summary>The body of the pushed authorization request endpoint (RFC 9126 §2.1), from an authenticated client.</summary>
    Push,
    /// <summary>A pushed request loaded by its request_uri, validated once already when it was pushed.</summary>
    Pushed,
}

/// <summary>
/// The rules of an authorization request, shared by the authorization endpoint and the PAR endpoint. The client and
/// its redirect URI are checked first: until both are known to be good, errors are shown, never redirected
/// (RFC 6749 §4.1.2.1, RFC 9700 §4.1).
/// </summary>
public sealed class AuthorizationRequestValidator(ClientRegistry clients)
{
    // Generous: some clients (the ASP.NET Core OpenID Connect handler) put an encrypted blob of several hundred bytes in state.
    public const int MaxParameterLength = 4096;
    public const string PushedRequestUriPrefix = "urn:ietf:params:oauth:request_uri:";

    /// <param name="authenticatedClient">At the PAR endpoint, the client that authenticated (client_id may then be omitted).</param>
    public (AuthorizationRequest? Request, AuthorizationFailure? Failure) Validate(
        AuthorizationParameters p, AuthorizationRequestSource source, ClientDefinition? authenticatedClient = null, PushedRequestReference? pushed = null)
    {
        // The client and the redirect URI: errors about them are never redirected.
        if (p.Repeated.Contains(AuthorizationParameters.ClientId) || p.Repeated.Contains(AuthorizationParameters.RedirectUri))
            return Show(OAuthError.InvalidRequest("The client_id or redirect_uri parameter is repeated (RFC 6749 §3.1)."));
        var client = authenticatedClient;
        if (client is null)
        {
            if (p[AuthorizationParameters.ClientId] is not { } clientId)
                return Show(OAuthError.InvalidRequest("The client_id parameter is missing."));
            client = clients.Find(clientId);
            if (client is not { Enabled: true })
                return Show(OAuthError.InvalidRequest($"The client '{OAuthError.Echo(clientId)}' is not known."));
        }
        else if (p[AuthorizationParameters.ClientId] is { } bodyClientId && bodyClientId != client.ClientId)
        {
            return Show(OAuthError.InvalidRequest("client_id differs from the authenticated client."));
        }
        if (p[AuthorizationParameters.RedirectUri] is not { } redirectUri)
            return Show(OAuthError.InvalidRequest("The redirect_uri parameter is missing; it is required in every request."));
        // RFC 9700 §4.1.3: exact string comparison against the registered URIs (any port on a native app's loopback URI).
        if (!client.AcceptsRedirectUri(redirectUri))
            return Show(OAuthError.InvalidRequest("The redirect_uri is not registered for this client."));

        // From here on, errors go back to the client.
        var state = p[AuthorizationParameters.State];
        AuthorizationFailure Redirect(string code, string description) => new(new OAuthError(code, description), redirectUri, state);

        if (p.Repeated.Count > 0)
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, $"The parameter '{p.Repeated.First()}' is repeated (RFC 6749 §3.1)."));
        if (p.Values.Values.Any(v => v.Length > MaxParameterLength))
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, $"A parameter is longer than {MaxParameterLength} characters."));
        if (!client.GrantTypes.Contains(GrantTypes.AuthorizationCode))
            return Fail(Redirect(OAuthErrorCodes.UnauthorizedClient, "The client may not use the authorization code grant."));
        // Request objects (RFC 9101) are not supported; request_uri is accepted only as issued by our PAR endpoint.
        if (p[AuthorizationParameters.Request] is not null)
            return Fail(Redirect(AuthorizationErrorCodes.RequestNotSupported, "Request objects are not supported; use pushed authorization requests."));
        if (p[AuthorizationParameters.RequestUri] is not null)
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "request_uri cannot be used here (RFC 9126 §2.1)."));
        if (source == AuthorizationRequestSource.Direct && client.RequirePushedAuthorizationRequests)
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "This client must push its authorization requests (RFC 9126 §6)."));

        var responseType = p[AuthorizationParameters.ResponseType];
        if (responseType is null)
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "The response_type parameter is missing."));
        if (responseType != "code")
            return Fail(Redirect(AuthorizationErrorCodes.UnsupportedResponseType, "Only response_type=code is supported."));
        if (p[AuthorizationParameters.ResponseMode] is { } mode && mode != "query")
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "Only response_mode=query is supported."));

        // RFC 7636 §4.3, RFC 9700 §2.1.1: PKCE for every client, and only S256. A missing method means plain (§4.3).
        var challenge = p[AuthorizationParameters.CodeChallenge];
        if (challenge is null)
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "code_challenge is required (PKCE, RFC 7636)."));
        if (p[AuthorizationParameters.CodeChallengeMethod] != "S256")
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "code_challenge_method must be S256; plain is not accepted."));
        // RFC 7636 §4.2: code_challenge has the verifier's grammar (43*128unreserved).
        if (!CodeVerifier.IsWellFormed(challenge))
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "code_challenge must be 43 to 128 characters of [A-Z] / [a-z] / [0-9] / '-' / '.' / '_' / '~' (RFC 7636 §4.2)."));

        // RFC 6749 §3.3: without a scope the client's configured scopes apply.
        if (ScopeSet.TryNarrow(p[AuthorizationParameters.Scope], client.Scopes, "is not allowed for this client", out var scopes) is { } scopeError)
            return Fail(new AuthorizationFailure(scopeError, redirectUri, state));

        var prompt = (p[AuthorizationParameters.Prompt] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (prompt.FirstOrDefault(v => !PromptValues.Supported.Contains(v)) is { } unsupported)
            // OIDC Core §3.1.2.1 defines select_account, which needs account choice this server does not offer; a value
            // not in prompt_values_supported is invalid_request (OIDC "Initiating User Registration" §4.1).
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, $"The prompt value '{OAuthError.Echo(unsupported)}' is not supported."));
        if (prompt.Contains(PromptValues.None) && prompt.Count > 1)
            return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "prompt=none cannot be combined with other values (OIDC Core §3.1.2.1)."));

        long? maxAge = null;
        if (p[AuthorizationParameters.MaxAge] is { } maxAgeText)
        {
            if (!long.TryParse(maxAgeText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                return Fail(Redirect(OAuthErrorCodes.InvalidRequest, "max_age must be a non-negative number of seconds."));
            maxAge = seconds;
        }

        return (new AuthorizationRequest(client, redirectUri, scopes, state, p[AuthorizationParameters.Nonce], challenge, prompt, maxAge,
            p[AuthorizationParameters.LoginHint], p, pushed), null);
    }

    private static (AuthorizationRequest?, AuthorizationFailure?) Show(OAuthError error) => (null, new AuthorizationFailure(error));

    private static (AuthorizationRequest?, AuthorizationFailure?) Fail(AuthorizationFailure failure) => (null, failure);
}
