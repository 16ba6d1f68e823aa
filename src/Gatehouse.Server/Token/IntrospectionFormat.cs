using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Token;

public enum IntrospectionFormat { Json, Jwt, SignedIntrospection }

/// <summary>Chooses the introspection response form from the Accept header, honouring q-values.</summary>
public static class IntrospectionFormats
{
    public const string JwtMediaType = "application/jwt";
    /// <summary>RFC 9701 §4.</summary>
    public const string SignedMediaType = "application/token-introspection+jwt";

    public static IntrospectionFormat Negotiate(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0)
            return IntrospectionFormat.Json;
        var best = IntrospectionFormat.Json;
        var bestQuality = -1.0;
        foreach (var media in accepted.OrderByDescending(m => m.Quality ?? 1.0))
        {
            var quality = media.Quality ?? 1.0;
            if (quality <= 0 || quality <= bestQuality)
                continue;
            IntrospectionFormat? format = media.MediaType.Value?.ToLowerInvariant() switch
            {
                SignedMediaType => IntrospectionFormat.SignedIntrospection,
                JwtMediaType => IntrospectionFormat.Jwt,
                "application/json" or "application/*" or "*/*" => IntrospectionFormat.Json,
                _ => null,
            };
            if (format is { } f)
            {
                best = f;
                bestQuality = quality;
            }
        }
        return best;
    }
}
