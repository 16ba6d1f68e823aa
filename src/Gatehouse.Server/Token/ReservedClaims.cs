namespace Gatehouse.Server.Token;

/// <summary>Claims the token service sets itself (RFC 9068 §2.2); configuration may not release, rename or overwrite them.</summary>
public static class ReservedClaims
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "scope", "auth_time", "acr", "amr", "cnf", "active", "token_type",
        "nonce", "sid", "at_hash", "c_hash", "azp",
    };

    public static bool Contains(string claim) => Names.Contains(claim);
}
