using System.Security.Cryptography;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Token;

public sealed record IssuedAccessToken(string Value, string Scope, int ExpiresIn);

/// <summary>
/// Issues access tokens. Every token is first an RFC 9068 JWT; for clients with opaque tokens the JWT is kept in the
/// store under the SHA-256 of a random reference, and only the reference leaves the server (the phantom-token pairing).
/// </summary>
public sealed class AccessTokenIssuer(SigningKeyRing keys, AccessTokenStore store, ClaimRelease claimRelease, GatehouseOptions options, TimeProvider time)
{
    public const string AccessTokenType = "at+jwt";
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <param name="grant">For a user's token: the grant it comes from. Its authentication claims go into the token
    /// (RFC 9068 §2.2.1) and an opaque token remembers the grant id, so a replayed code or a reused refresh token can
    /// recall it. A JWT access token cannot be recalled that way: it stays valid until it expires (keep it short).</param>
    public async Task<IssuedAccessToken> IssueAsync(ClientDefinition client, string subject, IReadOnlyList<string> scopes,
        IReadOnlyDictionary<string, object> subjectClaims, CancellationToken ct, UserGrant? grant = null)
    {
        var now = time.GetUtcNow();
        var expires = now + client.AccessTokenLifetime;
        var scope = string.Join(' ', scopes);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = subject,
            ["client_id"] = client.ClientId,
            ["jti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        };
        if (scope.Length > 0)
            claims["scope"] = scope;
        if (grant is not null)
        {
            claims["auth_time"] = grant.AuthTime;
            claims["acr"] = grant.Acr;
            claims["amr"] = grant.AmrValues;
        }
        claimRelease.AddReleasedClaims(claims, client, scopes, subjectClaims);

        var jwt = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = client.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = AccessTokenType,
            Claims = claims,
            SigningCredentials = keys.Current,
        });

        var value = jwt;
        if (client.AccessTokenFormat == AccessTokenFormat.Opaque)
        {
            value = OpaqueToken.Create();
            await store.AddAsync(new AccessTokenRecord
            {
                Hash = TokenHash.Sha256(value),
                ClientId = client.ClientId,
                Subject = subject,
                Jwt = jwt,
                IssuedAt = now.ToUnixTimeSeconds(),
                ExpiresAt = expires.ToUnixTimeSeconds(),
                GrantId = grant?.GrantId,
            }, ct);
        }
        return new IssuedAccessToken(value, scope, (int)client.AccessTokenLifetime.TotalSeconds);
    }
}
