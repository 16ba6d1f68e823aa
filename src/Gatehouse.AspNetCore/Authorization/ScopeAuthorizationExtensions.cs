using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;

namespace Gatehouse.AspNetCore.Authorization;

public static class ScopeAuthorizationExtensions
{
    /// <summary>The policy needs an authenticated caller whose token grants all of <paramref name="scopes"/>.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder policy, params string[] scopes) =>
        policy.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scopes));

    /// <summary>The endpoint (or group) needs a token granting all of <paramref name="scopes"/>; otherwise 403 insufficient_scope.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireScope(scopes));
}
