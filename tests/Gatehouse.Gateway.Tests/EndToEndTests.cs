using System.Diagnostics;
using System.Net;
using Gatehouse.Gateway.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Gateway.Tests;

/// <summary>Real processes: <c>gatehouse serve</c> + <c>gatehouse gateway</c> + the echo API, on loopback.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task OpaqueToken_ApiReceivesThePairedJwt_AndTheMatrixHolds()
    {
        await using var stack = await RealStack.StartAsync();
        Assert.Contains("listening on " + stack.GatewayAddress.ToString().TrimEnd('/'), stack.Gateway!.Stdout);
        Assert.Contains("route 'api'", stack.Gateway.Stdout);
        using var http = stack.CreateGatewayClient();

        var token = await stack.ObtainTokenAsync("appointments");
        var jwt = await stack.PairedJwtAsync(token);
        using (var ok = await Send.GetAsync(http, "/api/appointments", "Bearer " + token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var (authorization, _) = await EchoApi.ReadAsync(ok);
            Assert.Equal("Bearer " + jwt, authorization);
            var parsed = new JsonWebToken(jwt);
            Assert.Equal("service", parsed.GetClaim("client_id").Value);
        }
        using (var noToken = await Send.GetAsync(http, "/api/appointments"))
            await Send.AssertRefusedAsync(noToken, 401, null);
        using (var unknown = await Send.GetAsync(http, "/api/appointments", "Bearer " + Send.NewToken()))
            await Send.AssertRefusedAsync(unknown, 401, "invalid_token");
        using (var forged = await Send.GetAsync(http, "/api/appointments", "Bearer " + jwt.Replace(jwt[^5..], "AAAAA")))
            await Send.AssertRefusedAsync(forged, 401, "invalid_token");
        using (var scope = await Send.GetAsync(http, "/records/1", "Bearer " + token))
            await Send.AssertRefusedAsync(scope, 403, "insufficient_scope", "records");

        // A JWT access token (client with AccessTokenFormat jwt) is introspected too and forwarded as itself.
        var jwtToken = await stack.ObtainTokenAsync("appointments", "jwt-service");
        using (var jwtOk = await Send.GetAsync(http, "/api/x", "Bearer " + jwtToken))
        {
            Assert.Equal(HttpStatusCode.OK, jwtOk.StatusCode);
            Assert.Equal("Bearer " + jwtToken, (await EchoApi.ReadAsync(jwtOk)).Authorization);
        }
    }

    [Fact]
    public async Task RevokedToken_StopsWorking_WithinTheCacheBound()
    {
        await using var stack = await RealStack.StartAsync(cacheMaximumLifetime: "00:00:02");
        using var http = stack.CreateGatewayClient();
        var token = await stack.ObtainTokenAsync("appointments");
        using (var ok = await Send.GetAsync(http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await stack.RevokeAsync(token);
        var revokedAt = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && revokedAt.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(4), $"revocation took {revokedAt.Elapsed} with a 2 s bound");
    }

    [Fact]
    public async Task ServerKilled_Gives502_CachedTokenLastsOnlyItsCacheLifetime_AndGatewayRecovers()
    {
        await using var stack = await RealStack.StartAsync(cacheMaximumLifetime: "00:00:05");
        using var http = stack.CreateGatewayClient();
        var cached = await stack.ObtainTokenAsync("appointments");
        var uncached = await stack.ObtainTokenAsync("appointments");
        using (var ok = await Send.GetAsync(http, "/api/x", "Bearer " + cached))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var cachedAt = Stopwatch.StartNew();

        await stack.StopServerAsync();
        using (var down = await Send.GetAsync(http, "/api/x", "Bearer " + uncached))
            await Send.AssertRefusedAsync(down, 502, "server_error");
        using (var stillCached = await Send.GetAsync(http, "/api/x", "Bearer " + cached))
        {
            Assert.True(cachedAt.Elapsed < TimeSpan.FromSeconds(5), "test too slow to observe the cached window");
            Assert.Equal(HttpStatusCode.OK, stillCached.StatusCode);
        }
        await Task.Delay(TimeSpan.FromSeconds(5) - cachedAt.Elapsed + TimeSpan.FromMilliseconds(300));
        using (var expired = await Send.GetAsync(http, "/api/x", "Bearer " + cached))
            await Send.AssertRefusedAsync(expired, 502, "server_error");

        await stack.StartServerAsync(); // same port, same store; the gateway keeps running
        using (var recovered = await Send.GetAsync(http, "/api/x", "Bearer " + uncached))
            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.False(stack.Gateway!.HasExited);
    }

    [Fact]
    public async Task WrongIntrospectionSecret_Gives502()
    {
        await using var stack = await RealStack.StartAsync();
        await stack.Gateway!.DisposeAsync();
        stack.WriteGatewayConfig("00:00:30", clientSecret: "wrong-secret");
        await stack.StartGatewayAsync();
        using var http = stack.CreateGatewayClient();
        var token = await stack.ObtainTokenAsync("appointments");
        using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 502, "server_error");
        Assert.Contains("401", stack.Gateway.Stdout + stack.Gateway.Stderr);
    }

    [Fact]
    public async Task ClusterAskingForSpiffeMtls_StandaloneGatewayRefusesToStart_RatherThanProxyWithoutIt()
    {
        var stderr = await RefusedToStartAsync("""
            { "Gatehouse": { "Gateway": {
                "Introspection": { "Endpoint": "http://127.0.0.1:1/introspect", "ClientId": "gateway", "ClientSecret": "x" },
                "Routes": { "api": { "ClusterId": "api", "Match": { "Path": "/api/{**rest}" } } },
                "Clusters": { "api": { "Destinations": { "a": { "Address": "http://127.0.0.1:1/" } }, "Metadata": { "SpiffeId": "spiffe://example.org/api" } } } } } }
            """);

        Assert.Contains("Gatehouse:Gateway:Clusters:api:Metadata:SpiffeId asks for SPIFFE mTLS", stderr);
        Assert.Contains("Fix:", stderr);
    }

    [Fact]
    public async Task InvalidConfiguration_GatewayRefusesToStart_NamingKeyAndFix()
    {
        var stderr = await RefusedToStartAsync("""{ "Gatehouse": { "Gateway": { "Introspection": { "ClientId": "gateway", "ClientSecret": "x" }, "Routes": {}, "Clusters": {} } } }""");

        Assert.Contains("Gatehouse:Gateway:Introspection:Endpoint is missing", stderr);
        Assert.Contains("Fix:", stderr);
    }

    /// <summary>Runs <c>gatehouse gateway</c> with <paramref name="json"/> as its configuration file; it must exit 2. Returns stderr.</summary>
    private static async Task<string> RefusedToStartAsync(string json)
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-gw-").FullName;
        try
        {
            var path = Path.Combine(directory, "gateway.json");
            await File.WriteAllTextAsync(path, json);
            await using var process = GatehouseProcess.Start("gateway", "--config", path, "--urls", $"http://127.0.0.1:{FreePort.Next()}");
            var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit == 2, process.Stdout + process.Stderr);
            return process.Stderr;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
