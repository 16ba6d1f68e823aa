using System.Net;
using System.Text.Json;

namespace Gatehouse.AspNetCore.Tests;

/// <summary>RFC 6750 §3.1 insufficient_scope, scope requirements and other policy failures.</summary>
public sealed class AuthorizationTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task MissingScope_Returns403InsufficientScope_NamingTheScope()
    {
        var response = await f.Api.GetAsync("/records", f.Mock.Token().Scope("appointments").Build());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("error=\"insufficient_scope\"", challenge.Parameter);
        Assert.EndsWith("scope=\"records\"", challenge.Parameter);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("insufficient_scope", body.RootElement.GetProperty("error").GetString());
        Assert.Equal("records", body.RootElement.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task RequiredScope_Present_Returns200() =>
        await Expect.Ok(await f.Api.GetAsync("/records", f.Mock.Token().Scope("appointments", "records").Build()));

    [Fact]
    public async Task ScopeNamePrefix_DoesNotCount() =>
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Api.GetAsync("/records", f.Mock.Token().Scope("records:read", "record").Build())).StatusCode);

    [Fact]
    public async Task SeveralScopes_AllAreRequired()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Api.GetAsync("/both", f.Mock.Token().Scope("read").Build())).StatusCode);
        await Expect.Ok(await f.Api.GetAsync("/both", f.Mock.Token().Scope("write", "read").Build()));
    }

    [Fact]
    public async Task ScopeEndpoint_WithoutToken_Returns401NotForbidden()
    {
        var response = await f.Api.GetAsync("/records", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task MissingRole_Returns403WithoutInsufficientScope()
    {
        var response = await f.Api.GetAsync("/admin", f.Mock.Token().Role("doctor").Build());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("forbidden", body.RootElement.GetProperty("error").GetString());
        await Expect.Ok(await f.Api.GetAsync("/admin", f.Mock.Token().Role("admin").Build()));
    }

    [Fact]
    public async Task ForbidFromDomainCode_Returns403Json()
    {
        var response = await f.Api.GetAsync("/forbid", f.Mock.Token().Build());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EndpointWithoutPolicy_StillNeedsAValidToken()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Api.GetAsync("/default", null)).StatusCode);
        await Expect.Ok(await f.Api.GetAsync("/default", f.Mock.Token().Build()));
    }
}
