namespace Gatehouse.AspNetCore;

/// <summary>
/// How an API validates Gatehouse access tokens. Bind it from configuration (section <see cref="SectionName"/>)
/// or set it in code; it is validated at startup and an error names the key and the fix.
/// </summary>
public sealed class GatehouseApiOptions
{
    public const string SectionName = "GatehouseApi";

    /// <summary>Base URL of the authorization server, e.g. https://login.example.com. Issuer and JWKS URI default from it.</summary>
    public string? Authority { get; set; }

    /// <summary>The exact <c>iss</c> tokens must carry; defaults to <see cref="Authority"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Where the public keys are published; defaults to <c>{Authority}/jwks</c>.</summary>
    public string? JwksUri { get; set; }

    /// <summary>The <c>aud</c> value that identifies this API (required).</summary>
    public string? Audience { get; set; }

    /// <summary>Accepted JWS algorithms; null means ES256, RS256, PS256. <c>none</c> and HMAC are never accepted.</summary>
    public string[]? Algorithms { get; set; }

    /// <summary>Claims every token must carry besides iss/aud/exp; null means sub, client_id, jti, iat (RFC 9068 §2.2).</summary>
    public string[]? RequiredClaims { get; set; }

    /// <summary>Tolerance for exp/nbf between the servers' clocks.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a fetched JWKS is used before it is fetched again in the normal course.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// At most one JWKS fetch per this interval when a token names an unknown <c>kid</c>, so a flood of tokens with
    /// made-up kids cannot hammer the authorization server.
    /// </summary>
    public TimeSpan JwksMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Require https for the JWKS URI. Loopback addresses (127.0.0.1, ::1, localhost) are always allowed.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim that holds roles (a string or an array of strings).</summary>
    public string RoleClaimType { get; set; } = "roles";

    /// <summary>When true (default) every endpoint needs a valid token unless it says <c>AllowAnonymous()</c>.</summary>
    public bool RequireAuthenticatedUserByDefault { get; set; } = true;

    internal static readonly string[] DefaultAlgorithms = ["ES256", "RS256", "PS256"];
    internal static readonly string[] DefaultRequiredClaims = ["sub", "client_id", "jti", "iat"];

    /// <summary>The issuer tokens must carry: <see cref="Issuer"/> or else <see cref="Authority"/>.</summary>
    public string EffectiveIssuer => Issuer ?? Authority!;
    /// <summary>Where the keys are fetched: <see cref="JwksUri"/> or else {Authority}/jwks.</summary>
    public string EffectiveJwksUri => JwksUri ?? Authority!.TrimEnd('/') + "/jwks";
    internal IReadOnlyList<string> EffectiveAlgorithms => Algorithms is { Length: > 0 } a ? a : DefaultAlgorithms;
    internal IReadOnlyList<string> EffectiveRequiredClaims => RequiredClaims ?? DefaultRequiredClaims;
}
