using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Keys;

/// <summary>The JWS algorithms Gatehouse signs with. ES256 is the default: small keys, small signatures, fast signing.</summary>
public static class SigningAlgorithms
{
    public static readonly IReadOnlyList<string> All = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    public static bool IsSupported(string algorithm) => All.Contains(algorithm, StringComparer.Ordinal);

    /// <summary>Creates a new private key for the algorithm and returns it as PKCS#8.</summary>
    public static byte[] CreatePrivateKey(string algorithm)
    {
        if (algorithm == SecurityAlgorithms.EcdsaSha256)
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return ec.ExportPkcs8PrivateKey();
        }
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKey();
    }

    /// <summary>Loads a PKCS#8 private key as a security key; <paramref name="publicOnly"/> drops the private part.</summary>
    public static AsymmetricSecurityKey LoadKey(string algorithm, ReadOnlySpan<byte> pkcs8, string kid, bool publicOnly = false)
    {
        if (algorithm == SecurityAlgorithms.EcdsaSha256)
        {
            var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            if (publicOnly)
            {
                var pub = ECDsa.Create(ec.ExportParameters(includePrivateParameters: false));
                ec.Dispose();
                ec = pub;
            }
            return new ECDsaSecurityKey(ec) { KeyId = kid };
        }
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        if (publicOnly)
        {
            var pub = RSA.Create(rsa.ExportParameters(includePrivateParameters: false));
            rsa.Dispose();
            rsa = pub;
        }
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }
}
