using System.Text.Json;
using Gatehouse.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Authentication;

/// <summary>
/// A refusal as a value: status, RFC 6750 §3 error code (null when the request carried no token, §3.1), a description for
/// the client (never a token), the scope a 403 needs, and a log message. <see cref="WriteAsync"/> is the one writer.
/// </summary>
public sealed record GatewayError(int Status, string? Code, string Description, string LogMessage, string? Scope = null)
{
    public static GatewayError MissingToken(string why) =>
        new(401, null, "A bearer token is required.", why);

    public static GatewayError InvalidToken(string description, string log) =>
        new(401, OAuthErrorCodes.InvalidToken, description, log);

    public static GatewayError InvalidRequest(string description) =>
        new(400, OAuthErrorCodes.InvalidRequest, description, description);

    public static GatewayError InsufficientScope(IReadOnlyList<string> required) =>
        new(403, OAuthErrorCodes.InsufficientScope, "The token lacks a scope this resource requires.", "token lacks required scopes", string.Join(' ', required));

    public static GatewayError BadGateway(string log) =>
        new(502, OAuthErrorCodes.ServerError, "The authorization server could not check the token.", log);

    public static GatewayError Unavailable(string log) =>
        new(503, OAuthErrorCodes.TemporarilyUnavailable, "The authorization server is temporarily unavailable.", log);

    public static GatewayError MethodNotAllowed(IEnumerable<string> allowed) =>
        new(405, "method_not_allowed", "The method is not allowed on this route.", "method not allowed") { Allow = string.Join(", ", allowed) };

    public string? Allow { get; init; }

    /// <summary>RFC 6750 §3: <c>Bearer realm="…"</c>, plus <c>error</c>, <c>error_description</c> and <c>scope</c> when known.</summary>
    public string? WwwAuthenticate(string realm)
    {
        if (Status is not (400 or 401 or 403))
            return null;
        var value = $"Bearer realm=\"{realm}\"";
        if (Code is not null)
            value += $", error=\"{Code}\", error_description=\"{OAuthError.Echo(Description)}\"";
        if (Scope is not null)
            value += $", scope=\"{Scope}\"";
        return value;
    }

    public async Task WriteAsync(HttpContext context, string realm)
    {
        var response = context.Response;
        response.StatusCode = Status;
        response.Headers.CacheControl = "no-store";
        if (WwwAuthenticate(realm) is { } challenge)
            response.Headers.WWWAuthenticate = challenge;
        if (Allow is not null)
            response.Headers.Allow = Allow;
        response.ContentType = "application/json";
        if (HttpMethods.IsHead(context.Request.Method))
            return;
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        if (Code is not null)
            writer.WriteString("error", Code);
        writer.WriteString("error_description", Description);
        if (Scope is not null)
            writer.WriteString("scope", Scope);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
