using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Protocol.Pkce;

/// <summary>The token-endpoint side of PKCE (RFC 7636 §4.6), S256 only: plain is never accepted (RFC 9700 §2.1.1).</summary>
public static class CodeVerifier
{
    /// <summary>RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".</summary>
    public static bool IsWellFormed(string? verifier) =>
        verifier is { Length: >= 43 and <= 128 } && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time.</summary>
    public static bool Matches(string? verifier, string challenge)
    {
        if (!IsWellFormed(verifier))
            return false;
        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier!)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }
}
