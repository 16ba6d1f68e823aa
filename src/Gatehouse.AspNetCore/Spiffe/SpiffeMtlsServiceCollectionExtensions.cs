using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.AspNetCore.Spiffe;

public static class SpiffeMtlsServiceCollectionExtensions
{
    /// <summary>The authentication scheme whose identity is the caller's X.509-SVID.</summary>
    public const string AuthenticationScheme = "SpiffeMtls";

    /// <summary>
    /// Registers the <see cref="AuthenticationScheme"/> scheme and the SPIFFE ID allow-list requirement. Pair it with
    /// <c>listen.UseSpiffeMtls(source)</c> on the Kestrel endpoint and <c>.RequireSpiffeId(…)</c> on endpoints.
    /// </summary>
    public static IServiceCollection AddSpiffeMtls(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, SpiffeAuthenticationHandler>(AuthenticationScheme, null);
        services.AddAuthorization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, SpiffeIdRequirementHandler>());
        return services;
    }

    /// <summary>The policy needs a caller authenticated by its X.509-SVID whose SPIFFE ID is one of <paramref name="spiffeIds"/>.</summary>
    public static AuthorizationPolicyBuilder RequireSpiffeId(this AuthorizationPolicyBuilder policy, params string[] spiffeIds) =>
        policy.AddAuthenticationSchemes(AuthenticationScheme).RequireAuthenticatedUser().AddRequirements(new SpiffeIdRequirement(spiffeIds));

    /// <summary>
    /// Only callers whose X.509-SVID carries one of <paramref name="spiffeIds"/> reach the endpoint (or group); any
    /// other authenticated workload gets 403, a caller without an SVID 401.
    /// </summary>
    public static TBuilder RequireSpiffeId<TBuilder>(this TBuilder builder, params string[] spiffeIds) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireSpiffeId(spiffeIds));
}
