using Gatehouse.AspNetCore.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.AspNetCore.Authorization;

/// <summary>
/// Turns a failed authorization into the RFC 6750 answer: an unauthenticated caller is challenged by the JwtBearer
/// handler (401); a caller missing a scope gets 403 <c>insufficient_scope</c> with the scopes needed; any other policy
/// failure a plain 403 with a JSON body.
/// </summary>
internal sealed class GatehouseAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden || context.User.Identity?.IsAuthenticated != true)
            return fallback.HandleAsync(next, context, policy, authorizeResult);

        var missingScopes = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>()
            .SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        return missingScopes.Length > 0
            ? BearerResponses.WriteInsufficientScopeAsync(context.Response, missingScopes)
            : BearerResponses.WriteForbiddenAsync(context.Response);
    }
}
