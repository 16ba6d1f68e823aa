using Gatehouse.Protocol.Spiffe;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Workload.Jwt;

/// <summary>Mints JWT-SVIDs (JWT-SVID §2–3, §5.1): compact JWS, typ JWT, sub = SPIFFE ID, aud (one or more), exp.</summary>
public static class JwtSvidIssuer
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static string Issue(SpiffeId subject, IReadOnlyCollection<string> audiences, JwtSigningKey key, DateTimeOffset now, TimeSpan? lifetime = null)
    {
        if (audiences.Count == 0 || audiences.Any(string.IsNullOrEmpty))
            throw new ArgumentException("A JWT-SVID needs at least one non-empty audience (JWT-SVID §3.2).", nameof(audiences));
        var expires = now + (lifetime ?? DefaultLifetime);
        if (expires > key.NotAfter)
            expires = key.NotAfter; // a token never outlives the key that verifies it
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = "JWT",
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject.ToString(),
                [JwtRegisteredClaimNames.Aud] = audiences.Count == 1 ? audiences.First() : audiences.ToArray(),
            },
            IssuedAt = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = key.Credentials,
        };
        return Handler.CreateToken(descriptor);
    }
}
