using Gatehouse.Protocol.Spiffe;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.AspNetCore.Spiffe;

/// <summary>The caller's SPIFFE ID must be one of <see cref="Allowed"/> (exact match; SPIFFE IDs compare ordinally).</summary>
public sealed class SpiffeIdRequirement : IAuthorizationRequirement
{
    public SpiffeIdRequirement(IEnumerable<string> allowed)
    {
        Allowed = allowed.Select(SpiffeId.Parse).ToHashSet();
        if (Allowed.Count == 0)
            throw new ArgumentException("List at least one SPIFFE ID.", nameof(allowed));
    }

    public IReadOnlySet<SpiffeId> Allowed { get; }
}

internal sealed class SpiffeIdRequirementHandler : AuthorizationHandler<SpiffeIdRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SpiffeIdRequirement requirement)
    {
        var caller = context.User.FindFirst(SpiffeClaimTypes.SpiffeId)?.Value;
        if (caller is not null && SpiffeId.TryParse(caller, out var id) && requirement.Allowed.Contains(id!))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
