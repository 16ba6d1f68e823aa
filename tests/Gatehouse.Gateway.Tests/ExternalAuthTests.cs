using System.Net;
using Gatehouse.Gateway.Tests.Infrastructure;

namespace Gatehouse.Gateway.Tests;

/// <summary>The external-auth endpoint as nginx auth_request, Envoy ext_authz and Traefik forwardAuth call it.</summary>
public sealed class ExternalAuthTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task ValidToken_Returns200_WithAuthorizationToCopy()
    {
        var token = Send.NewToken();
        var jwt = f.Stub.Activate(token);
        using var response = await Send.GetAsync(f.Http, "/_gatehouse/auth", "Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + jwt, Assert.Single(response.Headers.GetValues("Authorization")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task NoToken_Returns401_WithChallenge()
    {
        using var response = await Send.GetAsync(f.Http, "/_gatehouse/auth");
        await Send.AssertRefusedAsync(response, 401, null);
        Assert.False(response.Headers.Contains("Authorization"));
    }

    [Fact]
    public async Task UnknownToken_Returns401InvalidToken()
    {
        using var response = await Send.GetAsync(f.Http, "/_gatehouse/auth", "Bearer " + Send.NewToken());
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
    }

    [Fact]
    public async Task ScopeFromQuery_Returns403_WhenMissing()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token, scope: "appointments");
        using var response = await Send.GetAsync(f.Http, "/_gatehouse/auth?scope=appointments%20records", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 403, "insufficient_scope", scope: "appointments records");
    }

    [Fact]
    public async Task EnvoyStyle_OriginalPathAppended_AndMethodKept()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/_gatehouse/auth/api/orders/7");
        request.Headers.Authorization = Send.Bearer(token);
        using var response = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("Authorization"));
    }

    [Fact]
    public async Task EnvoyStyle_ScopesFromHeader_AndClientQueryIgnored()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token, scope: "appointments");
        using (var ignored = await Send.GetAsync(f.Http, "/_gatehouse/auth/api/x?scope=records", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
        using var refused = await Send.GetAsync(f.Http, "/_gatehouse/auth/records/x", "Bearer " + token,
            r => r.Headers.TryAddWithoutValidation("X-Gatehouse-Required-Scopes", "records"));
        await Send.AssertRefusedAsync(refused, 403, "insufficient_scope", scope: "records");
    }

    [Fact]
    public async Task ScopeHeader_AddsToQueryScopes()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token, scope: "appointments");
        using var refused = await Send.GetAsync(f.Http, "/_gatehouse/auth?scope=appointments", "Bearer " + token,
            r => r.Headers.TryAddWithoutValidation("X-Gatehouse-Required-Scopes", "records"));
        await Send.AssertRefusedAsync(refused, 403, "insufficient_scope", scope: "appointments records");
    }

    [Theory]
    [InlineData("X-Forwarded-Method")] // Traefik
    [InlineData("X-Original-Method")]  // ingress-nginx
    public async Task CorsPreflight_ViaForwardedMethod_Returns200WithoutToken(string header)
    {
        using var response = await Send.GetAsync(f.Http, "/_gatehouse/auth", change: r =>
        {
            r.Headers.TryAddWithoutValidation(header, "OPTIONS");
            r.Headers.TryAddWithoutValidation("Origin", "https://app.example");
            r.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Authorization"));
    }

    [Fact]
    public async Task ForwardedGet_IsNotAPreflight()
    {
        using var response = await Send.GetAsync(f.Http, "/_gatehouse/auth", change: r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-Method", "GET");
            r.Headers.TryAddWithoutValidation("Origin", "https://app.example");
            r.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        });
        await Send.AssertRefusedAsync(response, 401, null);
    }

    [Fact]
    public async Task IntrospectionDown_Returns503Or502()
    {
        var token = Send.NewToken();
        f.Stub.Answer(token, new StubAnswer(503));
        using (var unavailable = await Send.GetAsync(f.Http, "/_gatehouse/auth", "Bearer " + token))
            await Send.AssertRefusedAsync(unavailable, 503, "temporarily_unavailable");
        f.Stub.Answer(token, new StubAnswer(404));
        using var failed = await Send.GetAsync(f.Http, "/_gatehouse/auth", "Bearer " + token);
        await Send.AssertRefusedAsync(failed, 502, "server_error");
    }
}
