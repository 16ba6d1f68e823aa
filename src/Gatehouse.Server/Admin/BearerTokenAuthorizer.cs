using Gatehouse.Protocol.Errors;
using Gatehouse.Server.Token;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Admin;

/// <summary>
/// Protects Gatehouse's own APIs with its own access tokens (RFC 6750): the caller needs an active token
/// with the required scope. Writes the RFC 6750 §3 challenge itself when it refuses.
/// </summary>
public sealed class BearerTokenAuthorizer(TokenInspector inspector)
{
    private const string Realm = "gatehouse";

    public async Task<ActiveToken?> AuthorizeAsync(HttpContext context, string requiredScope)
    {
        var headers = context.Request.Headers.Authorization;
        var header = headers.Count == 1 ? headers[0] ?? "" : "";
        if (headers.Count > 1 || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // §3.1: a request without credentials gets no error code.
            await ChallengeAsync(context, 401, $"Bearer realm=\"{Realm}\"", null);
            return null;
        }
        var token = await inspector.InspectAsync(header[7..].Trim(), context.RequestAborted);
        if (token is null)
        {
            await ChallengeAsync(context, 401, $"Bearer realm=\"{Realm}\", error=\"{OAuthErrorCodes.InvalidToken}\"", OAuthErrorCodes.InvalidToken);
            return null;
        }
        var scopes = token.Parsed.TryGetPayloadValue<string>("scope", out var s) ? s.Split(' ') : [];
        if (!scopes.Contains(requiredScope, StringComparer.Ordinal))
        {
            await ChallengeAsync(context, 403, $"Bearer realm=\"{Realm}\", error=\"{OAuthErrorCodes.InsufficientScope}\", scope=\"{requiredScope}\"", OAuthErrorCodes.InsufficientScope);
            return null;
        }
        return token;
    }

    private static Task ChallengeAsync(HttpContext context, int status, string challenge, string? error)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.WWWAuthenticate = challenge;
        return error is null
            ? Http.OAuthResponses.WriteJsonAsync(context.Response, w => w.WriteString("error_description", "An access token is required."))
            : Http.OAuthResponses.WriteJsonAsync(context.Response, w => w.WriteString("error", error));
    }
}
