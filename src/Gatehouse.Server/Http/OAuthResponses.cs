using System.Text.Encodings.Web;
using System.Text.Json;
using Gatehouse.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Http;

/// <summary>Writes every OAuth error and token-like response, so status, headers and body rules live in one place.</summary>
public static class OAuthResponses
{
    // Bodies are JSON for API clients, never HTML, so characters such as ' need no \u escaping.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string BasicRealm = "Basic realm=\"gatehouse\", charset=\"UTF-8\"";

    /// <summary>RFC 6749 §5.2 error body. A 401 carries a Basic challenge (RFC 6749 §5.2, RFC 9110 §11.6.1).</summary>
    public static Task WriteErrorAsync(HttpContext context, OAuthError error)
    {
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        NoStore(response);
        if (error.StatusCode == StatusCodes.Status401Unauthorized)
            response.Headers.WWWAuthenticate = BasicRealm;
        return WriteJsonAsync(response, w =>
        {
            w.WriteString("error", error.Code);
            w.WriteString("error_description", error.Description);
        });
    }

    /// <summary>RFC 6749 §5.1: responses carrying tokens or credentials must not be cached.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    public static async Task WriteJsonAsync(HttpResponse response, Action<Utf8JsonWriter> writeMembers)
    {
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync();
    }
}
