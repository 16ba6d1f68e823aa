using Gatehouse.Protocol.Errors;

namespace Gatehouse.Protocol.Scopes;

/// <summary>The scope parameter of RFC 6749 §3.3: space-delimited, case-sensitive scope tokens.</summary>
public static class ScopeSet
{
    /// <summary>Splits a scope parameter; false when a token has a character outside %x21 / %x23-5B / %x5D-7E.</summary>
    public static bool TryParse(string? value, out IReadOnlyList<string> scopes)
    {
        scopes = [];
        if (string.IsNullOrEmpty(value))
            return true;
        var tokens = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var token in tokens)
        {
            foreach (var c in token)
            {
                if (c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E)
                    return false;
            }
        }
        scopes = tokens.Distinct(StringComparer.Ordinal).ToArray();
        return true;
    }

    /// <summary>
    /// The scopes a request asks for (RFC 6749 §3.3), each of which must be in <paramref name="allowed"/>; without a
    /// scope parameter, all of <paramref name="allowed"/>. Returns the invalid_scope error to answer, or null.
    /// </summary>
    /// <param name="notAllowedReason">Ends the error description "The scope 'x' …", e.g. "was not granted".</param>
    public static OAuthError? TryNarrow(string? parameter, IReadOnlyList<string> allowed, string notAllowedReason, out IReadOnlyList<string> scopes)
    {
        scopes = [];
        if (!TryParse(parameter, out var requested))
            return OAuthError.InvalidScope("The scope parameter is malformed (RFC 6749 §3.3).");
        if (requested.FirstOrDefault(s => !allowed.Contains(s, StringComparer.Ordinal)) is { } notAllowed)
            return OAuthError.InvalidScope($"The scope '{OAuthError.Echo(notAllowed)}' {notAllowedReason}.");
        scopes = requested.Count > 0 ? requested : allowed;
        return null;
    }

    public static bool IsValidToken(string token) =>
        token.Length > 0 && TryParse(token, out var parsed) && parsed.Count == 1 && parsed[0] == token;

    public static string Format(IEnumerable<string> scopes) => string.Join(' ', scopes);
}
