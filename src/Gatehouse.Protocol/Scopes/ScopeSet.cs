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

    public static bool IsValidToken(string token) =>
        token.Length > 0 && TryParse(token, out var parsed) && parsed.Count == 1 && parsed[0] == token;

    public static string Format(IEnumerable<string> scopes) => string.Join(' ', scopes);
}
