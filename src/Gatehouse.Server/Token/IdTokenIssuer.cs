using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Token;

/// <summary>
/// ID tokens (OIDC Core §2): a JWS by the current signing key, for the client (aud) about the user (sub) and how and
/// when they authenticated. User attributes other than those the <c>openid</c> scope lists are not put in: an access
/// token is always issued with the ID token, so the userinfo endpoint serves them (OIDC Core §5.4).
/// </summary>
public sealed class IdTokenIssuer(SigningKeyRing keys, ClaimRelease claimRelease, GatehouseOptions options, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <param name="nonce">From the authentication request; none on refresh (OIDC Core §12.2).</param>
    public string Issue(ClientDefinition client, UserGrant grant, IReadOnlyDictionary<string, object> userClaims, string accessToken, string? nonce)
    {
        var now = time.GetUtcNow();
        var signing = keys.Current;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = grant.Subject,
            ["auth_time"] = grant.AuthTime,
            ["at_hash"] = AccessTokenHash(accessToken, signing.Algorithm),
            ["sid"] = grant.SessionId,
            ["amr"] = grant.AmrValues,
            ["acr"] = grant.Acr,
        };
        if (nonce is not null)
            claims["nonce"] = nonce;
        claimRelease.AddReleasedClaims(claims, client, [UserGrant.OpenIdScope], userClaims);

        // aud is the client alone, so azp is not needed (OIDC Core §2).
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = client.ClientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + client.IdTokenLifetime).UtcDateTime,
            TokenType = "JWT",
            Claims = claims,
            SigningCredentials = signing,
        });
    }

    /// <summary>
    /// OIDC Core §3.1.3.6 / §3.2.2.9: base64url of the left half of the hash of the ASCII access token, with the hash
    /// of the ID token's JWS algorithm (SHA-256 for ES256, RS256 and PS256).
    /// </summary>
    public static string AccessTokenHash(string accessToken, string algorithm)
    {
        var bytes = Encoding.ASCII.GetBytes(accessToken);
        var hash = algorithm[^3..] switch
        {
            "256" => SHA256.HashData(bytes),
            "384" => SHA384.HashData(bytes),
            "512" => SHA512.HashData(bytes),
            _ => throw new NotSupportedException($"No at_hash hash for the algorithm '{algorithm}'."),
        };
        return Base64UrlEncoder.Encode(hash, 0, hash.Length / 2);
    }
}
