using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Protocol.Tokens;

/// <summary>
/// The SHA-256 of a high-entropy secret (opaque token, client secret), base64url-encoded.
/// Only these hashes are stored; a slow KDF is unnecessary because the inputs carry 256 bits of entropy.
/// </summary>
public static class TokenHash
{
    public static string Sha256(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (byteCount <= 1024)
        {
            Span<byte> utf8 = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(value, utf8);
            SHA256.HashData(utf8, hash);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        }
        return Base64UrlEncoder.Encode(hash.ToArray());
    }

    /// <summary>Compares a presented secret against a stored hash in time independent of where they differ.</summary>
    public static bool Matches(string presented, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sha256(presented)),
            Encoding.ASCII.GetBytes(storedHash));
}
