using System.Net;
using Gatehouse.Gateway.Caching;
using Gatehouse.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Gateway.Tests;

/// <summary>Key = SHA-256 of the token, lifetime = min(exp, max-age, configured maximum), single flight, only active tokens.</summary>
public sealed class CacheTests
{
    [Fact]
    public void CacheKey_IsTheSha256OfTheToken_NeverTheToken()
    {
        var token = Send.NewToken();
        var key = PhantomTokenCache.KeyOf(token);
        Assert.DoesNotContain(token, key);
        Assert.EndsWith(Gatehouse.Protocol.Tokens.TokenHash.Sha256(token), key);
    }

    [Fact]
    public async Task ActiveToken_IsIntrospectedOnce_ThenServedFromCache()
    {
        await using var g = await InProcessGateway.StartAsync();
        using var http = g.CreateClient();
        var token = Send.NewToken();
        var jwt = g.Stub.Activate(token);
        for (var i = 0; i < 5; i++)
        {
            using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Bearer " + jwt, (await EchoApi.ReadAsync(response)).Authorization);
        }
        Assert.Equal(1, g.Stub.Calls);
    }

    [Fact]
    public async Task ConcurrentRequests_ShareOneIntrospection()
    {
        await using var g = await InProcessGateway.StartAsync();
        using var http = g.CreateClient();
        var token = Send.NewToken();
        g.Stub.Answer(token, new StubAnswer(200, StubIntrospection.MintJwt("appointments", TimeSpan.FromMinutes(5)), Delay: TimeSpan.FromMilliseconds(500)));
        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Send.GetAsync(http, "/api/x", "Bearer " + token)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, g.Stub.Calls);
        foreach (var r in responses)
            r.Dispose();
    }

    [Fact]
    public async Task ConcurrentRequests_ForAnInactiveToken_ShareOneIntrospection()
    {
        await using var g = await InProcessGateway.StartAsync();
        using var http = g.CreateClient();
        var token = Send.NewToken();
        g.Stub.Answer(token, new StubAnswer(204, Delay: TimeSpan.FromMilliseconds(500)));
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Send.GetAsync(http, "/api/x", "Bearer " + token)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal(1, g.Stub.Calls);
        foreach (var r in responses)
            r.Dispose();
    }

    [Fact]
    public async Task CachedJwt_IsRecheckedAgainstExp_OnEveryHit()
    {
        await using var g = await InProcessGateway.StartAsync();
        using var http = g.CreateClient();
        var token = Send.NewToken();
        g.Stub.Answer(token, new StubAnswer(200, StubIntrospection.MintJwt("appointments", TimeSpan.FromSeconds(2))));
        using (var ok = await Send.GetAsync(http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        g.Stub.Answer(token, new StubAnswer(204)); // what a server says after exp
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
        Assert.Equal(2, g.Stub.Calls);
    }

    [Fact]
    public async Task IntrospectionMaxAge_LimitsTheCacheLifetime()
    {
        await using var g = await InProcessGateway.StartAsync();
        using var http = g.CreateClient();
        var token = Send.NewToken();
        g.Stub.Activate(token, maxAge: 1);
        using (var first = await Send.GetAsync(http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using (var second = await Send.GetAsync(http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, g.Stub.Calls);
    }

    [Fact]
    public async Task RevokedToken_StopsWorking_WithinTheConfiguredMaximumLifetime()
    {
        await using var g = await InProcessGateway.StartAsync(maximumLifetime: "00:00:02");
        using var http = g.CreateClient();
        var token = Send.NewToken();
        g.Stub.Activate(token, lifetime: TimeSpan.FromHours(1), maxAge: 3600);
        using (var ok = await Send.GetAsync(http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        g.Stub.Answer(token, new StubAnswer(204)); // revoked at the server
        using (var cached = await Send.GetAsync(http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode); // still within the bound
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
    }

    [Fact]
    public async Task FailedIntrospection_IsNotCached_AndRecovers()
    {
        await using var g = await InProcessGateway.StartAsync();
        using var http = g.CreateClient();
        var token = Send.NewToken();
        g.Stub.Answer(token, new StubAnswer(500));
        using (var failed = await Send.GetAsync(http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        g.Stub.Activate(token);
        using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Cache_IsBoundedBySizeLimit()
    {
        await using var g = await InProcessGateway.StartAsync(change: s => s["Gatehouse:Gateway:Cache:SizeLimitMegabytes"] = "1");
        using var http = g.CreateClient();
        for (var i = 0; i < 150; i++)
        {
            var token = Send.NewToken();
            g.Stub.Activate(token, padding: 9000);
            using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var memory = (Microsoft.Extensions.Caching.Memory.MemoryCache)g.Gateway.App.Services
            .GetRequiredService<Microsoft.Extensions.Caching.Memory.IMemoryCache>();
        Assert.InRange(memory.Count, 1, 1024 * 1024 / 9000);
    }

    [Fact]
    public async Task UnreachableIntrospection_Returns502()
    {
        var stub = await StubIntrospection.StartAsync();
        var endpoint = stub.Endpoint;
        await stub.DisposeAsync();
        await using var g = await InProcessGateway.StartAsync(change: s => s["Gatehouse:Gateway:Introspection:Endpoint"] = endpoint.ToString());
        using var http = g.CreateClient();
        using var response = await Send.GetAsync(http, "/api/x", "Bearer " + Send.NewToken());
        await Send.AssertRefusedAsync(response, 502, "server_error");
    }

    [Fact]
    public async Task WrongGatewayCredentials_Returns502()
    {
        await using var g = await InProcessGateway.StartAsync(change: s => s["Gatehouse:Gateway:Introspection:ClientSecret"] = "wrong");
        using var http = g.CreateClient();
        var token = Send.NewToken();
        g.Stub.Activate(token);
        using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 502, "server_error");
    }
}
