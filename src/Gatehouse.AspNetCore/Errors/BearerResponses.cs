using System.Text;
using System.Text.Json;
using Gatehouse.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.AspNetCore.Errors;

/// <summary>
/// Writes every RFC 6750 §3 response in one place: the <c>WWW-Authenticate: Bearer</c> header and a JSON body
/// <c>{"error", "error_description", ...}</c>.
/// </summary>
public static class BearerResponses
{
    /// <summary>401 without an error code: the request carried no bearer token (RFC 6750 §3.1).</summary>
    public static Task WriteMissingTokenAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = "Bearer";
        return WriteJsonAsync(response, w => w.WriteString("error_description", "An access token is required (Authorization: Bearer <token>)."));
    }

    /// <summary>401 <c>invalid_token</c> with a stable <c>reason</c> in the body.</summary>
    public static Task WriteInvalidTokenAsync(HttpResponse response, Exception? failure)
    {
        var (reason, description) = TokenFailureReason.Of(failure);
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = $"Bearer error=\"{OAuthErrorCodes.InvalidToken}\", error_description=\"{Quote(description)}\"";
        return WriteJsonAsync(response, w =>
        {
            w.WriteString("error", OAuthErrorCodes.InvalidToken);
            w.WriteString("error_description", description);
            w.WriteString("reason", reason);
        });
    }

    /// <summary>403 <c>insufficient_scope</c> naming the scopes the endpoint needs (RFC 6750 §3.1).</summary>
    public static Task WriteInsufficientScopeAsync(HttpResponse response, IReadOnlyCollection<string> requiredScopes)
    {
        var scope = string.Join(' ', requiredScopes);
        var description = $"The access token lacks the scope this endpoint requires: {scope}.";
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.Headers.WWWAuthenticate = $"Bearer error=\"{OAuthErrorCodes.InsufficientScope}\", error_description=\"{Quote(description)}\", scope=\"{Quote(scope)}\"";
        return WriteJsonAsync(response, w =>
        {
            w.WriteString("error", OAuthErrorCodes.InsufficientScope);
            w.WriteString("error_description", description);
            w.WriteString("scope", scope);
        });
    }

    /// <summary>403 for a valid token whose claims (role, client, ...) do not satisfy the endpoint's policy.</summary>
    public static Task WriteForbiddenAsync(HttpResponse response, string? description = null)
    {
        response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteJsonAsync(response, w =>
        {
            w.WriteString("error", "forbidden");
            w.WriteString("error_description", description ?? "The access token does not allow this request.");
        });
    }

    private static async Task WriteJsonAsync(HttpResponse response, Action<Utf8JsonWriter> members)
    {
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }
        await response.Body.WriteAsync(buffer.ToArray());
    }

    /// <summary>RFC 6750 §3: error_description and scope use %x20-21 / %x23-5B / %x5D-7E only.</summary>
    private static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
            sb.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '?');
        return sb.ToString();
    }
}
