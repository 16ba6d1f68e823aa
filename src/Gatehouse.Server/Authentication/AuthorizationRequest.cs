using Gatehouse.Protocol.Errors;
using Gatehouse.Server.Clients;

namespace Gatehouse.Server.Authentication;

/// <summary>A validated authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3).</summary>
public sealed record AuthorizationRequest(
    ClientDefinition Client,
    string RedirectUri,
    IReadOnlyList<string> Scopes,
    string? State,
    string? Nonce,
    string CodeChallenge,
    IReadOnlySet<string> Prompt,
    long? MaxAge,
    string? LoginHint,
    AuthorizationParameters Parameters,
    PushedRequestReference? Pushed)
{
    public bool PromptNone => Prompt.Contains(PromptValues.None);

    /// <summary>The local URL that resumes this request after a page of the flow (login, second factor, consent).</summary>
    public string ReturnUrl => Pushed is null
        ? $"{Discovery.EndpointPaths.Authorize}?{Parameters.ToQueryString()}"
        : $"{Discovery.EndpointPaths.Authorize}?client_id={Uri.EscapeDataString(Client.ClientId)}&request_uri={Uri.EscapeDataString(Pushed.RequestUri)}";
}

/// <summary>The pushed request (RFC 9126) a request was loaded from; used up when its code is issued.</summary>
public sealed record PushedRequestReference(string RequestUri, string Hash);

public static class PromptValues
{
    public const string None = "none";
    public const string Login = "login";
    public const string Consent = "consent";

    /// <summary>As advertised in prompt_values_supported.</summary>
    public static readonly string[] Supported = [None, Login, Consent];
}

/// <summary>
/// A request that cannot go on. RFC 6749 §4.1.2.1: when the client or the redirect URI is missing or invalid the user
/// is told on an error page (<see cref="RedirectUri"/> null) and never redirected; otherwise the error goes back to
/// the client's redirect URI.
/// </summary>
public sealed record AuthorizationFailure(OAuthError Error, string? RedirectUri = null, string? State = null)
{
    public bool Redirects => RedirectUri is not null;
}
