using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gatehouse.Gateway.Tests.Infrastructure;

namespace Gatehouse.Gateway.Tests;

/// <summary>What reaches the API: the JWT instead of the opaque token, owned headers stripped, everything else intact.</summary>
public sealed class ForwardingTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task ValidToken_ApiReceivesJwt_AndRequestOtherwiseUnchanged()
    {
        var token = Send.NewToken();
        var jwt = f.Stub.Activate(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders/7?x=1&y=%20z")
        {
            Content = new StringContent("{\"a\":1}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = Send.Bearer(token);
        request.Headers.TryAddWithoutValidation("X-Custom", "kept");
        request.Headers.TryAddWithoutValidation("X-Gatehouse-Subject", "forged");
        request.Headers.TryAddWithoutValidation("x-gatehouse-scope", "forged");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
        using var response = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (authorization, echo) = await EchoApi.ReadAsync(response);
        Assert.Equal("Bearer " + jwt, authorization);
        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal("/api/orders/7", echo.GetProperty("path").GetString());
        Assert.Equal("?x=1&y=%20z", echo.GetProperty("query").GetString());
        Assert.Equal("{\"a\":1}", echo.GetProperty("body").GetString());
        var headers = echo.GetProperty("headers");
        Assert.Equal("kept", headers.GetProperty("x-custom").GetString());
        Assert.False(headers.TryGetProperty("x-gatehouse-subject", out _));
        Assert.False(headers.TryGetProperty("x-gatehouse-scope", out _));
        Assert.Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.DoesNotContain(token, echo.GetRawText());
    }

    [Fact]
    public async Task LargeJwt_IsForwardedIntact()
    {
        var token = Send.NewToken();
        var jwt = f.Stub.Activate(token, padding: 9000);
        Assert.True(jwt.Length >= 8192);
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (authorization, _) = await EchoApi.ReadAsync(response);
        Assert.Equal("Bearer " + jwt, authorization);
    }

    [Fact]
    public async Task StreamingBody_PassesThrough()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token);
        var payload = new string('x', 1 << 20);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/upload")
        {
            Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(payload))),
        };
        request.Headers.Authorization = Send.Bearer(token);
        request.Headers.TransferEncodingChunked = true;
        using var response = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, echo) = await EchoApi.ReadAsync(response);
        Assert.Equal(payload.Length, echo.GetProperty("body").GetString()!.Length);
    }

    [Fact]
    public async Task CorsPreflight_IsForwardedWithoutToken_WhereTheRouteAllowsIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/cors/x");
        request.Headers.TryAddWithoutValidation("Origin", "https://app.example");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer something");
        using var response = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (authorization, _) = await EchoApi.ReadAsync(response);
        Assert.Null(authorization);
    }

    [Fact]
    public async Task CorsPreflight_NeedsToken_WhereTheRouteDoesNotAllowIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/x");
        request.Headers.TryAddWithoutValidation("Origin", "https://app.example");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        using var response = await f.Http.SendAsync(request);
        await Send.AssertRefusedAsync(response, 401, null);
    }

    [Fact]
    public async Task OptionsWithoutPreflightHeaders_NeedsToken()
    {
        using var response = await f.Http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/cors/x"));
        await Send.AssertRefusedAsync(response, 401, null);
    }

    [Fact]
    public async Task MethodNotAllowed_Returns405_WithAllow()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/cors/x");
        using var response = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, OPTIONS, POST", string.Join(", ", response.Content.Headers.Allow));
        Assert.False(response.Headers.Contains("X-Echo"));
    }

    [Fact]
    public async Task PublicRoute_ForwardsWithoutToken_AndDropsAuthorization()
    {
        var before = f.Stub.Calls;
        using var response = await Send.GetAsync(f.Http, "/public/x", "Bearer whatever");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (authorization, _) = await EchoApi.ReadAsync(response);
        Assert.Null(authorization);
        Assert.Equal(before, f.Stub.Calls);
    }

    [Fact]
    public async Task WebSocketUpgrade_NeedsToken_AndCarriesJwt()
    {
        var uri = new UriBuilder(f.Gateway.Gateway.Address) { Scheme = "ws", Path = "/any/socket" }.Uri;
        using (var refused = new ClientWebSocket())
        {
            refused.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(uri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.HttpStatusCode);
        }
        var token = Send.NewToken();
        var jwt = f.Stub.Activate(token);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(uri, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("Bearer " + jwt, Encoding.UTF8.GetString(buffer, 0, received.Count));
    }
}
