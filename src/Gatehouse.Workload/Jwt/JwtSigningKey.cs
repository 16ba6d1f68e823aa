using Gatehouse.Protocol.Spiffe;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Workload.Jwt;

/// <summary>A JWT-SVID signing key (ES256, P-256) with its kid and the window in which it may sign.</summary>
public sealed class JwtSigningKey(string kid, ECDsa key, DateTimeOffset notBefore, DateTimeOffset notAfter) : IDisposable
{
    public string Kid { get; } = kid;
    public ECDsa Key { get; } = key;
    public DateTimeOffset NotBefore { get; } = notBefore;
    public DateTimeOffset NotAfter { get; } = notAfter;

    public static JwtSigningKey Create(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        new(Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)), ECDsa.Create(ECCurve.NamedCurves.nistP256), notBefore, notAfter);

    public SigningCredentials Credentials => new(new ECDsaSecurityKey(Key) { KeyId = Kid }, SecurityAlgorithms.EcdsaSha256);

    /// <summary>The public JWK as published in the bundle (use jwt-svid).</summary>
    public JsonWebKey PublicJwk() => SpiffeBundle.JwtAuthority(Kid, Key);

    public void Dispose() => Key.Dispose();
}
