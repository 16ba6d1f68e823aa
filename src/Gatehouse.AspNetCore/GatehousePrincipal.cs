using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.AspNetCore;

/// <summary>
/// The caller as domain code sees it: who (<see cref="Subject"/>), through which app (<see cref="ClientId"/>), with which
/// <see cref="Scopes"/> and <see cref="Roles"/>, plus any other claim. Take it as a minimal-API parameter
/// (<c>(GatehousePrincipal caller) =&gt; ...</c>) or call <see cref="From"/> on <c>HttpContext.User</c>.
/// </summary>
public sealed class GatehousePrincipal
{
    private GatehousePrincipal(ClaimsPrincipal principal)
    {
        Principal = principal;
        var identity = principal.Identities.FirstOrDefault(i => i.IsAuthenticated) ?? principal.Identity as ClaimsIdentity;
        var roleType = identity?.RoleClaimType ?? "roles";
        Subject = principal.FindFirst("sub")?.Value ?? "";
        ClientId = principal.FindFirst("client_id")?.Value ?? "";
        Scopes = principal.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        Roles = principal.FindAll(roleType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
    }

    public ClaimsPrincipal Principal { get; }

    /// <summary>The <c>sub</c> claim: the user, or for a service token the client.</summary>
    public string Subject { get; }

    /// <summary>The <c>client_id</c> claim: the application the token was issued to.</summary>
    public string ClientId { get; }

    public IReadOnlySet<string> Scopes { get; }

    public IReadOnlySet<string> Roles { get; }

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    public bool HasScope(string scope) => Scopes.Contains(scope);

    public bool IsInRole(string role) => Roles.Contains(role);

    /// <summary>The first value of a claim, or null.</summary>
    public string? Claim(string type) => Principal.FindFirst(type)?.Value;

    /// <summary>Every value of a claim (a JSON array claim yields one value per element).</summary>
    public IReadOnlyList<string> ClaimValues(string type) => Principal.FindAll(type).Select(c => c.Value).ToArray();

    /// <summary>True when the claim has <paramref name="value"/> among its values (ordinal comparison).</summary>
    public bool HasClaimValue(string type, string value) => Principal.FindAll(type).Any(c => string.Equals(c.Value, value, StringComparison.Ordinal));

    public static GatehousePrincipal From(ClaimsPrincipal principal) => new(principal);

    /// <summary>Minimal-API binding: an endpoint can declare a <see cref="GatehousePrincipal"/> parameter.</summary>
    public static ValueTask<GatehousePrincipal?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<GatehousePrincipal?>(context.User.Identity?.IsAuthenticated == true ? new GatehousePrincipal(context.User) : null);
}

public static class GatehousePrincipalExtensions
{
    public static GatehousePrincipal ToGatehousePrincipal(this ClaimsPrincipal principal) => GatehousePrincipal.From(principal);
}
