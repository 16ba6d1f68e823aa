using System.Security.Claims;

namespace Gatehouse.AspNetCore.Tests;

public sealed class GatehousePrincipalTests
{
    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "Bearer", "sub", "roles"));

    [Fact]
    public void ReadsSubjectClientScopesAndRoles()
    {
        var p = GatehousePrincipal.From(Principal(("sub", "dr-a"), ("client_id", "app"), ("scope", "a  b"), ("roles", "doctor"), ("roles", "admin")));
        Assert.Equal("dr-a", p.Subject);
        Assert.Equal("app", p.ClientId);
        Assert.True(p.HasScope("a") && p.HasScope("b"));
        Assert.False(p.HasScope("a b"));
        Assert.True(p.IsInRole("admin"));
        Assert.False(p.IsInRole("Admin"));   // ordinal
        Assert.True(p.IsAuthenticated);
    }

    [Fact]
    public void MultiValuedClaims_AreAllReturned()
    {
        var p = GatehousePrincipal.From(Principal(("hospitals", "h1"), ("hospitals", "h2")));
        Assert.Equal(["h1", "h2"], p.ClaimValues("hospitals"));
        Assert.True(p.HasClaimValue("hospitals", "h2"));
        Assert.False(p.HasClaimValue("hospitals", "h3"));
        Assert.Null(p.Claim("department"));
    }

    [Fact]
    public void Anonymous_HasNothing()
    {
        var p = GatehousePrincipal.From(new ClaimsPrincipal(new ClaimsIdentity()));
        Assert.False(p.IsAuthenticated);
        Assert.Empty(p.Scopes);
        Assert.Equal("", p.Subject);
    }
}
