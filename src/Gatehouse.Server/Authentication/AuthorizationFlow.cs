using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Discovery;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Authentication;

/// <summary>What the user has just done in this flow, so the checks that sent them there are not repeated.</summary>
[Flags]
public enum Interaction
{
    None = 0,
    /// <summary>Signed in on the login page (satisfies prompt=login and max_age).</summary>
    SignedIn = 1,
    /// <summary>Allowed the scopes on the consent page (satisfies prompt=consent).</summary>
    Consented = 2,
}

/// <summary>
/// Decides the next step of a validated authorization request: the login page, the consent page, an error for
/// prompt=none, or the code. Called by the authorization endpoint and, after the user acted, by the login and consent
/// pages. Returns the URL to redirect the browser to.
/// </summary>
public sealed class AuthorizationFlow(
    AuthorizationRequestReader reader, ConsentStore consents, AuthorizationCodeStore codes, PushedAuthorizationRequestStore pushedRequests,
    AuthorizationResponses responses, AuthenticationOptions options, TimeProvider time)
{
    public async Task<string> ContinueAsync(AuthorizationRequest request, SignedInUser? user, Interaction done, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();

        // OIDC Core §3.1.2.3: authenticate when there is no session, when prompt=login asks for it, or when the
        // authentication is older than max_age.
        var mustSignIn = user is null || (!done.HasFlag(Interaction.SignedIn)
            && (request.Prompt.Contains(PromptValues.Login) || (request.MaxAge is { } maxAge && now - user.Session.AuthTime > maxAge)));
        if (mustSignIn)
            return request.PromptNone
                ? Error(request, AuthorizationErrorCodes.LoginRequired, "The user is not signed in (prompt=none).")
                : Page(EndpointPaths.Login, request);

        // OIDC Core §3.1.2.4: consent once per client and scope set, unless the client is first-party or asks again.
        var mustConsent = !done.HasFlag(Interaction.Consented) && (request.Prompt.Contains(PromptValues.Consent)
            || (request.Client.RequireConsent && !(await consents.GrantedScopesAsync(user!.User.Subject, request.Client.ClientId, ct)).IsSupersetOf(request.Scopes)));
        if (mustConsent)
            return request.PromptNone
                ? Error(request, AuthorizationErrorCodes.ConsentRequired, "The user has not allowed this client these scopes (prompt=none).")
                : Page(EndpointPaths.Consent, request);

        return responses.Code(request, await IssueCodeAsync(request, user!.Session, now, ct));
    }

    /// <summary>
    /// Goes on after a page of the flow: with the authorization request behind <paramref name="returnUrl"/>, or to
    /// the local page it names. Returns the URL to redirect to, or the error to show when the request is not valid.
    /// </summary>
    public async Task<(string? Url, OAuthError? Error)> ResumeAsync(string? returnUrl, SignedInUser user, Interaction done, CancellationToken ct)
    {
        if (await reader.ResumeAsync(returnUrl, ct) is not var (request, failure))
            return (LocalUrl.IsLocal(returnUrl) ? returnUrl : EndpointPaths.Account, null);
        if (failure is not null)
            return failure.Redirects ? (responses.Error(failure), null) : (null, failure.Error);
        return (await ContinueAsync(request!, user, done, ct), null);
    }

    /// <summary>The record is the contract with the token endpoint, which redeems it.</summary>
    private async Task<string> IssueCodeAsync(AuthorizationRequest request, UserSessionRecord session, long now, CancellationToken ct)
    {
        var code = OpaqueToken.Create();
        await codes.AddAsync(new AuthorizationCodeRecord
        {
            Hash = TokenHash.Sha256(code),
            ClientId = request.Client.ClientId,
            RedirectUri = request.RedirectUri,
            CodeChallenge = request.CodeChallenge,
            Subject = session.Subject,
            SessionId = session.SessionId,
            Scope = string.Join(' ', request.Scopes),
            Nonce = request.Nonce,
            AuthTime = session.AuthTime,
            Amr = session.Amr,
            GrantId = OpaqueToken.Create(),
            CreatedAt = now,
            ExpiresAt = now + (long)options.AuthorizationCodeLifetime.TotalSeconds,
        }, ct);
        // RFC 9126 §4: a request_uri is one-time use.
        if (request.Pushed is not null)
            await pushedRequests.DeleteAsync(request.Pushed.Hash, ct);
        return code;
    }

    public string Error(AuthorizationRequest request, string code, string description) =>
        responses.Error(new AuthorizationFailure(new OAuthError(code, description), request.RedirectUri, request.State));

    private static string Page(string path, AuthorizationRequest request) => LocalUrl.WithReturnUrl(path, request.ReturnUrl);
}

/// <summary>Return URLs carried through the pages of the flow: only local paths, so no page becomes an open redirect.</summary>
public static class LocalUrl
{
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(c => char.IsControl(c) || c == '\\');

    /// <summary>A page of the flow that continues at <paramref name="returnUrl"/> afterwards; a non-local one is dropped.</summary>
    public static string WithReturnUrl(string page, string? returnUrl) =>
        IsLocal(returnUrl) ? $"{page}?returnUrl={Uri.EscapeDataString(returnUrl!)}" : page;
}
