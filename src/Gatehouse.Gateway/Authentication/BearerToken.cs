using Microsoft.Extensions.Primitives;

namespace Gatehouse.Gateway.Authentication;

/// <summary>Extracts the access token from the Authorization request header (RFC 6750 §2.1).</summary>
public static class BearerToken
{
    /// <summary>
    /// Exactly one Authorization header; scheme "Bearer" in any case; one space-free b64token
    /// (<c>1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="</c>) no longer than <paramref name="maxLength"/>.
    /// </summary>
    public static bool TryExtract(StringValues authorization, int maxLength, out string token, out GatewayError? error)
    {
        token = "";
        error = null;
        if (authorization.Count == 0 || (authorization.Count == 1 && string.IsNullOrWhiteSpace(authorization[0])))
        {
            error = GatewayError.MissingToken("no Authorization header");
            return false;
        }
        if (authorization.Count > 1)
        {
            error = GatewayError.InvalidRequest("Exactly one Authorization header is allowed.");
            return false;
        }
        var value = authorization[0]!.AsSpan().Trim();
        var space = value.IndexOf(' ');
        var scheme = space < 0 ? value : value[..space];
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            error = GatewayError.MissingToken("Authorization scheme is not Bearer");
            return false;
        }
        var credentials = space < 0 ? ReadOnlySpan<char>.Empty : value[(space + 1)..].TrimStart(' ');
        if (credentials.Length == 0)
        {
            error = GatewayError.InvalidToken("The bearer token is empty.", "empty bearer token");
            return false;
        }
        if (credentials.Length > maxLength)
        {
            error = GatewayError.InvalidToken("The bearer token is too long.", $"bearer token longer than {maxLength} characters");
            return false;
        }
        if (!IsB64Token(credentials))
        {
            error = GatewayError.InvalidToken("The bearer token is malformed.", "malformed bearer token");
            return false;
        }
        token = credentials.ToString();
        return true;
    }

    private static bool IsB64Token(ReadOnlySpan<char> value)
    {
        var i = 0;
        while (i < value.Length && (char.IsAsciiLetterOrDigit(value[i]) || value[i] is '-' or '.' or '_' or '~' or '+' or '/'))
            i++;
        if (i == 0)
            return false;
        while (i < value.Length && value[i] == '=')
            i++;
        return i == value.Length;
    }
}
