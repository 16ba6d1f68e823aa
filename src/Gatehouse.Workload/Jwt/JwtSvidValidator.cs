using Gatehouse.Protocol.Spiffe;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Workload.Jwt;

/// <summary>Why a JWT-SVID was rejected; each value is one rule of JWT-SVID.md.</summary>
public enum JwtSvidError
{
    None,
    /// <summary>§5.1: not a JWS in compact serialization.</summary>
    Malformed,
    /// <summary>§2.1: alg MUST be one of RS/ES/PS 256/384/512 (so never none or HS*).</summary>
    UnsupportedAlgorithm,
    /// <summary>§2.3: typ, when set, MUST be JWT or JOSE.</summary>
    InvalidType,
    /// <summary>§2: headers other than alg, kid and typ MUST NOT be included.</summary>
    DisallowedHeader,
    /// <summary>§3.1: sub MUST be a SPIFFE ID.</summary>
    InvalidSubject,
    /// <summary>No bundle for the subject's trust domain (or not the given bundle's).</summary>
    TrustDomainMismatch,
    /// <summary>The kid names no jwt-svid authority of the trust domain's bundle.</summary>
    UnknownKey,
    /// <summary>§4: the signature does not verify with the trust domain's authorities.</summary>
    InvalidSignature,
    /// <summary>§3.3: exp MUST be present.</summary>
    MissingExpiration,
    /// <summary>§3.3, RFC 7519 §4.1.4: exp is in the past.</summary>
    Expired,
    /// <summary>RFC 7519 §4.1.5: nbf is in the future.</summary>
    NotYetValid,
    /// <summary>§3.2: aud MUST be present with one or more values.</summary>
    MissingAudience,
    /// <summary>§3.2: the validator's audience is not among aud.</summary>
    AudienceMismatch,
}

public sealed record JwtSvidValidationResult(JwtSvidError Error, SpiffeId? Id = null, IReadOnlyList<string>? Audiences = null, DateTimeOffset? ExpiresAt = null)
{
    public bool IsValid => Error == JwtSvidError.None;
}

/// <summary>
/// Validates JWT-SVIDs: alg allow-list first, then the subject picks its trust domain's bundle, the signature is
/// checked (Microsoft.IdentityModel) against that bundle's jwt-svid keys only, then exp, nbf and aud.
/// </summary>
public sealed class JwtSvidValidator(TimeProvider timeProvider)
{
    /// <summary>JWT-SVID §2.1.</summary>
    public static readonly IReadOnlySet<string> SupportedAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512",
    };

    private static readonly JsonWebTokenHandler Handler = new();

    public JwtSvidValidator() : this(TimeProvider.System) { }

    /// <summary>Clock skew tolerated on exp and nbf (Appendix A: "a small amount of leeway is acceptable").</summary>
    public TimeSpan Leeway { get; init; } = TimeSpan.FromSeconds(30);

    public Task<JwtSvidValidationResult> ValidateAsync(string token, SpiffeBundleSet bundles, string audience) =>
        ValidateAsync(token, audience, td => bundles.TryGet(td, out var b) ? b : null);

    public Task<JwtSvidValidationResult> ValidateAsync(string token, SpiffeBundle bundle, string audience) =>
        ValidateAsync(token, audience, td => td == bundle.TrustDomain ? bundle : null);

    /// <summary>§2: "Any header not described here, registered or private, MUST NOT be included."</summary>
    private static bool HasOnlyPermittedHeaders(JsonWebToken jwt)
    {
        try
        {
            using var header = System.Text.Json.JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedHeader));
            return header.RootElement.EnumerateObject().All(p => p.Name is "alg" or "kid" or "typ");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task<JwtSvidValidationResult> ValidateAsync(string token, string audience, Func<TrustDomain, SpiffeBundle?> bundleFor)
    {
        ArgumentException.ThrowIfNullOrEmpty(audience);
        JsonWebToken jwt;
        try
        {
            if (token.Count(c => c == '.') != 2) // JWE (five parts) and anything else is not a compact JWS
                return new(JwtSvidError.Malformed);
            jwt = new JsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return new(JwtSvidError.Malformed);
        }

        if (!SupportedAlgorithms.Contains(jwt.Alg))
            return new(JwtSvidError.UnsupportedAlgorithm);
        if (!string.IsNullOrEmpty(jwt.Typ) && jwt.Typ is not ("JWT" or "JOSE"))
            return new(JwtSvidError.InvalidType);
        if (!HasOnlyPermittedHeaders(jwt))
            return new(JwtSvidError.DisallowedHeader);
        if (!jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var sub) || !SpiffeId.TryParse(sub, out var id))
            return new(JwtSvidError.InvalidSubject);
        if (bundleFor(id!.TrustDomain) is not { } bundle)
            return new(JwtSvidError.TrustDomainMismatch, id);

        IReadOnlyList<SecurityKey> keys;
        if (!string.IsNullOrEmpty(jwt.Kid))
            keys = bundle.JwtAuthorities.TryGetValue(jwt.Kid, out var key) ? [key] : [];
        else
            keys = bundle.JwtAuthorities.Values.ToArray();
        if (keys.Count == 0)
            return new(JwtSvidError.UnknownKey, id);

        var signature = await Handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = SupportedAlgorithms,
            RequireSignedTokens = true,
            ValidateIssuer = false,
            ValidateAudience = false,      // checked below, with a distinct error
            ValidateLifetime = false,      // checked below, against the injected clock
            RequireExpirationTime = false,
            RequireAudience = false,
            ValidateIssuerSigningKey = false,
        }).ConfigureAwait(false);
        if (!signature.IsValid)
            return new(JwtSvidError.InvalidSignature, id);

        var now = timeProvider.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp))
            return new(JwtSvidError.MissingExpiration, id);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (now >= expiresAt + Leeway)
            return new(JwtSvidError.Expired, id);
        if (jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf) && now + Leeway < DateTimeOffset.FromUnixTimeSeconds(nbf))
            return new(JwtSvidError.NotYetValid, id);

        var audiences = jwt.Audiences.Where(a => !string.IsNullOrEmpty(a)).ToArray();
        if (audiences.Length == 0)
            return new(JwtSvidError.MissingAudience, id);
        if (!audiences.Contains(audience, StringComparer.Ordinal))
            return new(JwtSvidError.AudienceMismatch, id, audiences);
        return new(JwtSvidError.None, id, audiences, expiresAt);
    }
}
