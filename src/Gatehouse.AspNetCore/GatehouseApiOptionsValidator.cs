using Microsoft.Extensions.Options;

namespace Gatehouse.AspNetCore;

/// <summary>Startup validation: each failure names the configuration key and how to fix it.</summary>
internal sealed class GatehouseApiOptionsValidator : IValidateOptions<GatehouseApiOptions>
{
    private static readonly HashSet<string> Forbidden = new(StringComparer.OrdinalIgnoreCase) { "none", "HS256", "HS384", "HS512" };

    public ValidateOptionsResult Validate(string? name, GatehouseApiOptions o)
    {
        var errors = new List<string>();
        const string p = GatehouseApiOptions.SectionName + ":";
        if (string.IsNullOrWhiteSpace(o.Authority) && (string.IsNullOrWhiteSpace(o.Issuer) || string.IsNullOrWhiteSpace(o.JwksUri)))
            errors.Add($"{p}Authority is missing. Fix: set it to the authorization server's base URL (or set both {p}Issuer and {p}JwksUri).");
        if (string.IsNullOrWhiteSpace(o.Audience))
            errors.Add($"{p}Audience is missing. Fix: set it to the 'aud' value the authorization server puts in tokens for this API.");
        if (errors.Count == 0)
        {
            if (!Uri.TryCreate(o.EffectiveJwksUri, UriKind.Absolute, out var jwks) || (jwks.Scheme != Uri.UriSchemeHttps && jwks.Scheme != Uri.UriSchemeHttp))
                errors.Add($"{p}JwksUri '{o.EffectiveJwksUri}' is not an absolute http(s) URL. Fix: check {p}Authority / {p}JwksUri.");
            else if (jwks.Scheme == Uri.UriSchemeHttp && o.RequireHttpsMetadata && !jwks.IsLoopback)
                errors.Add($"{p}JwksUri '{jwks}' is not https. Fix: use https, or set {p}RequireHttpsMetadata=false (development only).");
        }
        foreach (var alg in o.EffectiveAlgorithms.Where(Forbidden.Contains))
            errors.Add($"{p}Algorithms contains '{alg}', which is never safe for access tokens. Fix: use ES256, RS256 or PS256.");
        if (o.ClockSkew < TimeSpan.Zero || o.ClockSkew > TimeSpan.FromMinutes(5))
            errors.Add($"{p}ClockSkew '{o.ClockSkew}' is out of range. Fix: use a value between 00:00:00 and 00:05:00 (default 00:00:30).");
        if (o.JwksMinimumRefreshInterval < TimeSpan.FromSeconds(1))
            errors.Add($"{p}JwksMinimumRefreshInterval must be at least 00:00:01 so unknown kids cannot hammer the server.");
        if (o.JwksRefreshInterval < o.JwksMinimumRefreshInterval)
            errors.Add($"{p}JwksRefreshInterval must not be shorter than {p}JwksMinimumRefreshInterval.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
