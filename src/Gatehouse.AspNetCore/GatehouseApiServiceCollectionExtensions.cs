using Gatehouse.AspNetCore.Authorization;
using Gatehouse.AspNetCore.Jwks;
using Gatehouse.AspNetCore.Validation;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.AspNetCore;

public static class GatehouseApiServiceCollectionExtensions
{
    /// <summary>The authentication scheme Gatehouse registers (JwtBearer under the usual name).</summary>
    public const string AuthenticationScheme = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>Wires JWT access-token validation and scope authorization, with options bound from <paramref name="section"/>.</summary>
    public static IServiceCollection AddGatehouseApi(this IServiceCollection services, IConfiguration section, Action<GatehouseApiOptions>? configure = null)
    {
        services.AddOptions<GatehouseApiOptions>().Bind(section);
        return services.AddGatehouseApi(configure);
    }

    /// <summary>
    /// Wires an API to accept Gatehouse access tokens: JwtBearer validation (algorithm allow-list, <c>typ: at+jwt</c>,
    /// iss, aud, exp/nbf with skew, required claims) against a cached JWKS, RFC 6750 error responses, scope requirements
    /// (<c>.RequireScope("x")</c>) and, by default, a fallback policy requiring a valid token on every endpoint.
    /// </summary>
    public static IServiceCollection AddGatehouseApi(this IServiceCollection services, Action<GatehouseApiOptions>? configure = null)
    {
        var options = services.AddOptions<GatehouseApiOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatehouseApiOptions>, GatehouseApiOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(JwksKeyCache.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<JwksKeyCache>();
        services.TryAddSingleton<GatehouseJwtBearerEvents>();

        services.AddAuthentication(AuthenticationScheme).AddJwtBearer(AuthenticationScheme);
        services.AddOptions<JwtBearerOptions>(AuthenticationScheme)
            .Configure<IOptionsMonitor<GatehouseApiOptions>, JwksKeyCache, GatehouseJwtBearerEvents>(ConfigureJwtBearer);

        services.AddAuthorization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ScopeRequirementHandler>());
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, GatehouseAuthorizationResultHandler>();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<GatehouseApiOptions>>((authz, api) =>
        {
            if (api.Value.RequireAuthenticatedUserByDefault)
                authz.FallbackPolicy = new AuthorizationPolicyBuilder(AuthenticationScheme).RequireAuthenticatedUser().Build();
        });
        return services;
    }

    private static void ConfigureJwtBearer(JwtBearerOptions bearer, IOptionsMonitor<GatehouseApiOptions> monitor, JwksKeyCache keys, GatehouseJwtBearerEvents events)
    {
        var o = monitor.CurrentValue;
        bearer.ConfigurationManager = keys;
        bearer.Events = events;
        bearer.MapInboundClaims = false;
        bearer.RefreshOnIssuerKeyNotFound = true;
        bearer.IncludeErrorDetails = true;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = o.EffectiveIssuer,
            ValidateIssuer = true,
            ValidAudience = o.Audience,
            ValidateAudience = true,
            ValidAlgorithms = o.EffectiveAlgorithms,
            // RFC 9068 §4: typ must be at+jwt (application/at+jwt is the same media type).
            ValidTypes = ["at+jwt", "application/at+jwt"],
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = o.ClockSkew,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            NameClaimType = "sub",
            RoleClaimType = o.RoleClaimType,
        };
    }
}
