using Gatehouse.Protocol.Errors;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Http;
using Gatehouse.Server.Token;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Admin;

/// <summary>
/// Protects Gatehouse's own APIs with its own access tokens (RFC 6750): the caller needs an active token
/// with the required scope. Writes the RFC 6750 §3 challenge itself when it refuses.
/// </summary>
public sealed class BearerTokenAuthorizer(TokenInspector inspector, GatehouseOptions options)
{
    private const string Realm = "gatehouse";

    /// <param name="acceptFormBody">Also accept the token as the access_token form parameter of a POST (RFC 6750 §2.2);
    /// never from the query (§2.3), which ends up in logs and browser history.</param>
    public async Task<ActiveToken?> AuthorizeAsync(HttpContext context, string requiredScope, bool acceptFormBody = false)
    {
        var headers = context.Request.Headers.Authorization;
        var header = headers.Count == 1 ? headers[0] ?? "" : "";
        var fromHeader = headers.Count == 1 && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        string? fromBody = null;
        if (acceptFormBody && HttpMethods.IsPost(context.Request.Method) && IsForm(context.Request))
        {
            var (form, formError) = await OAuthForm.ReadAsync(context, options.Endpoints.MaxRequestBodyBytes);
            if (form is null)
            {
                await ChallengeAsync(context, formError!.StatusCode, $"Bearer realm=\"{Realm}\", error=\"{OAuthErrorCodes.InvalidRequest}\"", OAuthErrorCodes.InvalidRequest);
                return null;
            }
            fromBody = form["access_token"];
        }
        if (fromHeader is not null && fromBody is not null)
        {
            // §3.1: more than one method of sending the token is an invalid_request.
            await ChallengeAsync(context, 400, $"Bearer realm=\"{Realm}\", error=\"{OAuthErrorCodes.InvalidRequest}\"", OAuthErrorCodes.InvalidRequest);
            return null;
        }
        if (headers.Count > 1 || (fromHeader ?? fromBody) is not { } presented)
        {
            // §3.1: a request without credentials gets no error code.
            await ChallengeAsync(context, 401, $"Bearer realm=\"{Realm}\"", null);
            return null;
        }
        var token = await inspector.InspectAsync(presented, context.RequestAborted);
        if (token is null)
        {
            await RejectTokenAsync(context);
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

    /// <summary>§3.1 invalid_token: expired, revoked, malformed, or no longer standing for anyone.</summary>
    public static Task RejectTokenAsync(HttpContext context) =>
        ChallengeAsync(context, 401, $"Bearer realm=\"{Realm}\", error=\"{OAuthErrorCodes.InvalidToken}\"", OAuthErrorCodes.InvalidToken);

    private static bool IsForm(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static Task ChallengeAsync(HttpContext context, int status, string challenge, string? error)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.WWWAuthenticate = challenge;
        OAuthResponses.NoStore(context.Response);
        return error is null
            ? OAuthResponses.WriteJsonAsync(context.Response, w => w.WriteString("error_description", "An access token is required."))
            : OAuthResponses.WriteJsonAsync(context.Response, w => w.WriteString("error", error));
    }
}
