using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.AspNetCore.Authorization;

/// <summary>The token's <c>scope</c> claim must contain every one of <see cref="Scopes"/>.</summary>
public sealed class ScopeRequirement : IAuthorizationRequirement
{
    public ScopeRequirement(IEnumerable<string> scopes)
    {
        Scopes = scopes.ToArray();
        if (Scopes.Count == 0 || Scopes.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("At least one non-empty scope is required.", nameof(scopes));
    }

    public IReadOnlyList<string> Scopes { get; }
}

internal sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var granted = GatehousePrincipal.From(context.User).Scopes;
        if (requirement.Scopes.All(granted.Contains))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
