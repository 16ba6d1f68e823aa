using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Token;

/// <summary>An active access token: its JWT form (the opaque token's pair, or the token itself) and its parsed claims.</summary>
public sealed record ActiveToken(string Jwt, string ClientId, long ExpiresAt, string? OpaqueHash)
{
    private JsonWebToken? _parsed;

    /// <summary>Parsed on first use: the phantom-token exchange and the revocation of an opaque token never need it.</summary>
    public JsonWebToken Parsed
    {
        get => _parsed ??= new JsonWebToken(Jwt);
        init => _parsed = value;
    }
}

/// <summary>
/// Decides whether a presented access token is active: issued here, not expired, not revoked.
/// Opaque tokens cost one primary-key lookup; JWTs a signature check and one lookup of revoked jtis.
/// </summary>
public sealed class TokenInspector(AccessTokenStore store, SigningKeyRing keys, GatehouseOptions options, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new();
    public const int MaxTokenLength = 16 * 1024;

    public async Task<ActiveToken?> InspectAsync(string token, CancellationToken ct)
    {
        if (token.Length == 0 || token.Length > MaxTokenLength)
            return null;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (OpaqueToken.LooksLikeJwt(token))
        {
            var jwt = await ValidateOwnJwtAsync(token, validateLifetime: true);
            if (jwt is null || await store.IsJwtRevokedAsync(jwt.Id, ct))
                return null;
            return new ActiveToken(token, ClientIdOf(jwt), ExpiresAt(jwt), null) { Parsed = jwt };
        }
        if (token.Length != OpaqueToken.Length)
            return null;
        var hash = TokenHash.Sha256(token);
        var record = await store.FindByHashAsync(hash, ct);
        if (record is null || record.RevokedAt is not null || record.ExpiresAt <= now)
            return null;
        return new ActiveToken(record.Jwt, record.ClientId, record.ExpiresAt, hash);
    }

    /// <summary>Checks signature, issuer and type of a JWT access token from this server; lifetime optionally.</summary>
    public async Task<JsonWebToken?> ValidateOwnJwtAsync(string token, bool validateLifetime)
    {
        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidateAudience = false,
            // Lifetime is checked below against the injected clock, without skew: our own exp is authoritative.
            ValidateLifetime = false,
            IssuerSigningKeys = keys.ValidationKeys,
            ValidTypes = [AccessTokenIssuer.AccessTokenType],
            ValidAlgorithms = SigningAlgorithms.All,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || string.IsNullOrEmpty(jwt.Id))
            return null;
        if (validateLifetime)
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            if (ExpiresAt(jwt) <= now || (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && nbf > now))
                return null;
        }
        return jwt;
    }

    public static string ClientIdOf(JsonWebToken jwt) => jwt.TryGetPayloadValue<string>("client_id", out var id) ? id : "";

    public static long ExpiresAt(JsonWebToken jwt) => jwt.TryGetPayloadValue<long>("exp", out var exp) ? exp : 0;
}
