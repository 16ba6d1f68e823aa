using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Testing;

/// <summary>
/// An asymmetric signing key for tests: ES256 (P-256) by default, or RS256/PS256. The kid is the RFC 7638 thumbprint,
/// as on the real server.
/// </summary>
public sealed class MockSigningKey
{
    private MockSigningKey(AsymmetricAlgorithm key, string algorithm)
    {
        Algorithm = algorithm;
        Key = key;
        SecurityKey publicKey = key switch
        {
            ECDsa ec => new ECDsaSecurityKey(PublicCopy(ec)),
            RSA rsa => new RsaSecurityKey(rsa.ExportParameters(false)),
            _ => throw new ArgumentException("Only ECDsa and RSA keys are supported.", nameof(key)),
        };
        var jwk = JsonWebKeyConverter.ConvertFromSecurityKey(publicKey);
        Kid = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        PublicJwk = jwk;
        SecurityKey = key switch
        {
            ECDsa ec => new ECDsaSecurityKey(ec) { KeyId = Kid },
            _ => new RsaSecurityKey((RSA)key) { KeyId = Kid },
        };
    }

    public string Kid { get; }

    /// <summary>JWS algorithm: ES256, RS256 or PS256.</summary>
    public string Algorithm { get; }

    public AsymmetricAlgorithm Key { get; }

    public SecurityKey SecurityKey { get; }

    public SigningCredentials SigningCredentials => new(SecurityKey, Algorithm);

    internal JsonWebKey PublicJwk { get; }

    public static MockSigningKey Create(string algorithm = SecurityAlgorithms.EcdsaSha256) => algorithm switch
    {
        SecurityAlgorithms.EcdsaSha256 => new MockSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256), algorithm),
        SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.RsaSsaPssSha256 => new MockSigningKey(RSA.Create(2048), algorithm),
        _ => throw new ArgumentException($"Unsupported algorithm '{algorithm}'. Use ES256, RS256 or PS256.", nameof(algorithm)),
    };

    /// <summary>Loads a PKCS#8 PEM private key (EC P-256 → ES256, RSA → <paramref name="rsaAlgorithm"/>).</summary>
    public static MockSigningKey FromPem(string pem, string rsaAlgorithm = SecurityAlgorithms.RsaSha256)
    {
        if (TryEc(pem) is { } ec)
            return new MockSigningKey(ec, SecurityAlgorithms.EcdsaSha256);
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new MockSigningKey(rsa, rsaAlgorithm);
    }

    /// <summary>The private key as PKCS#8 PEM.</summary>
    public string ExportPem() => Key switch
    {
        ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
        RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The public key as SubjectPublicKeyInfo PEM (what an HS256 key-confusion attack signs with).</summary>
    public string ExportPublicPem() => Key switch
    {
        ECDsa ec => ec.ExportSubjectPublicKeyInfoPem(),
        RSA rsa => rsa.ExportSubjectPublicKeyInfoPem(),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The public JWK members (kty, use, alg, kid and crv/x/y or n/e).</summary>
    public Dictionary<string, string> PublicJwkMembers() => Gatehouse.Protocol.Jose.PublicJwk.Members(PublicJwk, Kid, Algorithm);

    /// <summary>A JWKS document (RFC 7517 §5) with the public halves of <paramref name="keys"/>.</summary>
    public static string JwksJson(IEnumerable<MockSigningKey> keys) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["keys"] = keys.Select(k => k.PublicJwkMembers()).ToArray() });

    private static ECDsa PublicCopy(ECDsa ec)
    {
        var copy = ECDsa.Create();
        copy.ImportParameters(ec.ExportParameters(false));
        return copy;
    }

    private static ECDsa? TryEc(string pem)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return ec;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ec.Dispose();
            return null;
        }
    }
}
