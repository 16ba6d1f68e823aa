using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Protocol.Tokens;

/// <summary>Opaque reference tokens: 256 random bits, base64url without padding (43 characters).</summary>
public static class OpaqueToken
{
    public const int Length = 43;

    public static string Create() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>True when the value has the shape of a compact JWS (three dot-separated parts).</summary>
    public static bool LooksLikeJwt(string value) => value.AsSpan().Count('.') == 2;
}
