using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Testing;

/// <summary>
/// Mints an RFC 9068 access token (<c>typ: at+jwt</c>) with any claims, valid by default, or deliberately broken:
/// <c>mock.Token().Subject("dr-alice").Scope("appointments").Claim("department", "cardiology").Build()</c>.
/// </summary>
public sealed class TokenBuilder
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly Dictionary<string, object> claims = new(StringComparer.Ordinal);
    private readonly List<string> scopes = [];
    private readonly HashSet<string> omitted = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private MockSigningKey key;
    private string? issuer;
    private string? audience;
    private string? type = "at+jwt";
    private TimeSpan lifetime = TimeSpan.FromMinutes(5);
    private DateTimeOffset? issuedAt;
    private DateTimeOffset? notBefore;
    private DateTimeOffset? expires;
    private Breakage breakage;

    private enum Breakage { None, TamperedSignature, TamperedPayload, AlgNone, Hs256WithPublicKey }

    public TokenBuilder(string issuer, string audience, MockSigningKey key, TimeProvider? time = null)
    {
        this.issuer = issuer;
        this.audience = audience;
        this.key = key;
        this.time = time ?? TimeProvider.System;
        claims["sub"] = "test-user";
        claims["client_id"] = "test-client";
    }

    public TokenBuilder Subject(string subject) => Claim("sub", subject);

    public TokenBuilder ClientId(string clientId) => Claim("client_id", clientId);

    /// <summary>Adds scopes to the space-delimited <c>scope</c> claim.</summary>
    public TokenBuilder Scope(params string[] values)
    {
        scopes.AddRange(values);
        omitted.Remove("scope");
        return this;
    }

    /// <summary>Adds roles to the <c>roles</c> array claim.</summary>
    public TokenBuilder Role(params string[] roles)
    {
        var all = claims.TryGetValue("roles", out var existing) && existing is string[] list ? list.Concat(roles).ToArray() : roles;
        return Claim("roles", all);
    }

    /// <summary>Sets a claim: a string, number, bool, or a string array (a JSON array in the token).</summary>
    public TokenBuilder Claim(string name, object value)
    {
        claims[name] = value;
        omitted.Remove(name);
        return this;
    }

    /// <summary>Sets a single-valued string claim.</summary>
    public TokenBuilder Claim(string name, string value) => Claim(name, (object)value);

    /// <summary>Sets a multi-valued claim (JSON array), e.g. <c>Claim("hospitals", "st-mary", "city-general")</c>.</summary>
    public TokenBuilder Claim(string name, params string[] values) => Claim(name, (object)values);

    /// <summary>Leaves a claim out, including the standard ones (iss, aud, exp, nbf, iat, sub, client_id, jti, scope).</summary>
    public TokenBuilder Without(string claim)
    {
        omitted.Add(claim);
        claims.Remove(claim);
        return this;
    }

    public TokenBuilder Issuer(string value)
    {
        issuer = value;
        return this;
    }

    public TokenBuilder Audience(string value)
    {
        audience = value;
        return this;
    }

    /// <summary>The <c>typ</c> header; null leaves it to the library default (JWT).</summary>
    public TokenBuilder Type(string? value)
    {
        type = value;
        return this;
    }

    public TokenBuilder Lifetime(TimeSpan value)
    {
        lifetime = value;
        return this;
    }

    /// <summary>exp lies <paramref name="ago"/> in the past (default 10 minutes, well beyond any clock skew).</summary>
    public TokenBuilder Expired(TimeSpan? ago = null)
    {
        var now = time.GetUtcNow();
        expires = now - (ago ?? TimeSpan.FromMinutes(10));
        issuedAt = notBefore = expires - lifetime;
        return this;
    }

    /// <summary>nbf lies <paramref name="ahead"/> in the future (default 10 minutes).</summary>
    public TokenBuilder NotYetValid(TimeSpan? ahead = null)
    {
        var now = time.GetUtcNow();
        issuedAt = now;
        notBefore = now + (ahead ?? TimeSpan.FromMinutes(10));
        expires = notBefore + lifetime;
        return this;
    }

    public TokenBuilder IssuedAt(DateTimeOffset value)
    {
        issuedAt = value;
        return this;
    }

    public TokenBuilder NotBefore(DateTimeOffset value)
    {
        notBefore = value;
        return this;
    }

    public TokenBuilder ExpiresAt(DateTimeOffset value)
    {
        expires = value;
        return this;
    }

    /// <summary>Signs with another key, e.g. one the JWKS does not publish.</summary>
    public TokenBuilder SignedWith(MockSigningKey signingKey)
    {
        key = signingKey;
        return this;
    }

    /// <summary>A valid token whose signature bytes were altered.</summary>
    public TokenBuilder TamperedSignature() => Break(Breakage.TamperedSignature);

    /// <summary>A token whose payload was swapped (sub changed to "attacker") after signing.</summary>
    public TokenBuilder TamperedPayload() => Break(Breakage.TamperedPayload);

    /// <summary>An unsecured JWS: <c>alg: none</c> and no signature (RFC 7515 §A.5).</summary>
    public TokenBuilder AlgNone() => Break(Breakage.AlgNone);

    /// <summary>The key-confusion attack: HS256 with the server's public key (PEM) as the HMAC secret, and its kid.</summary>
    public TokenBuilder Hs256WithPublicKey() => Break(Breakage.Hs256WithPublicKey);

    public string Build()
    {
        return breakage switch
        {
            Breakage.None => Sign(claims, key.SigningCredentials),
            Breakage.AlgNone => Sign(claims, null),
            Breakage.Hs256WithPublicKey => Sign(claims, new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key.ExportPublicPem())) { KeyId = key.Kid }, SecurityAlgorithms.HmacSha256)),
            Breakage.TamperedSignature => FlipSignatureBit(Sign(claims, key.SigningCredentials)),
            Breakage.TamperedPayload => SwapPayload(Sign(claims, key.SigningCredentials),
                Sign(new Dictionary<string, object>(claims) { ["sub"] = "attacker" }, key.SigningCredentials)),
            _ => throw new InvalidOperationException(),
        };
    }

    public override string ToString() => Build();

    private TokenBuilder Break(Breakage kind)
    {
        breakage = kind;
        return this;
    }

    private string Sign(Dictionary<string, object> payload, SigningCredentials? credentials)
    {
        var now = time.GetUtcNow();
        var iat = issuedAt ?? now;
        var nbf = notBefore ?? iat;
        var exp = expires ?? nbf + lifetime;
        var body = new Dictionary<string, object>(payload, StringComparer.Ordinal);
        if (!omitted.Contains("jti"))
            body.TryAdd("jti", Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)));
        if (scopes.Count > 0 && !omitted.Contains("scope"))
            body["scope"] = string.Join(' ', scopes.Distinct(StringComparer.Ordinal));
        // The descriptor's own members write iss/aud/iat/nbf/exp; they are left null when the test omits them or sets
        // them as raw claims (e.g. an aud array via Claim("aud", "a", "b")).
        bool Skip(string name) => omitted.Contains(name) || body.ContainsKey(name);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Skip("iss") ? null : issuer,
            Audience = Skip("aud") ? null : audience,
            IssuedAt = Skip("iat") ? null : iat.UtcDateTime,
            NotBefore = Skip("nbf") ? null : nbf.UtcDateTime,
            Expires = Skip("exp") ? null : exp.UtcDateTime,
            TokenType = type,
            Claims = body,
            SigningCredentials = credentials,
        };
        return Handler.CreateToken(descriptor);
    }

    private static string FlipSignatureBit(string jws)
    {
        var parts = jws.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[signature.Length / 2] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string SwapPayload(string original, string other)
    {
        var a = original.Split('.');
        var b = other.Split('.');
        return $"{a[0]}.{b[1]}.{a[2]}";
    }
}

/// <summary>Tokens that are not JWTs at all, for the parser's failure paths.</summary>
public static class MalformedTokens
{
    /// <summary>Two segments instead of three.</summary>
    public const string NotThreeParts = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0";

    /// <summary>Three segments that are not base64url.</summary>
    public const string BadBase64 = "e$J!.*&^%.@@@";

    /// <summary>Three base64url segments whose header and payload are not JSON.</summary>
    public static readonly string BadJson =
        $"{Base64UrlEncoder.Encode("{\"alg\":\"ES256\",")}.{Base64UrlEncoder.Encode("not json")}.{Base64UrlEncoder.Encode("sig")}";

    /// <summary>Every kind above, named.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        ["not-three-parts"] = NotThreeParts,
        ["bad-base64"] = BadBase64,
        ["bad-json"] = BadJson,
    };
}
