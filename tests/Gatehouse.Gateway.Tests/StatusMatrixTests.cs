using System.Net;
using Gatehouse.Gateway.Tests.Infrastructure;

namespace Gatehouse.Gateway.Tests;

/// <summary>The status and header matrix of the proxy (RFC 6750 §3, §3.1), one case per row.</summary>
public sealed class StatusMatrixTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task NoToken_Returns401_WithRealmAndNoErrorCode_WithoutIntrospection()
    {
        var before = f.Stub.Calls;
        using var response = await Send.GetAsync(f.Http, "/api/x");
        await Send.AssertRefusedAsync(response, 401, error: null);
        Assert.Equal("Bearer realm=\"gatehouse\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(before, f.Stub.Calls);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Token abc")]
    [InlineData("Bearerabc")]
    public async Task NonBearerScheme_Returns401_WithNoErrorCode(string authorization)
    {
        using var response = await Send.GetAsync(f.Http, "/api/x", authorization);
        await Send.AssertRefusedAsync(response, 401, error: null);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public async Task BearerScheme_IsCaseInsensitive(string scheme)
    {
        var token = Send.NewToken();
        var jwt = f.Stub.Activate(token);
        using var response = await Send.GetAsync(f.Http, "/api/x", $"{scheme} {token}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (authorization, _) = await EchoApi.ReadAsync(response);
        Assert.Equal("Bearer " + jwt, authorization);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer a b")]
    [InlineData("Bearer a\"b")]
    [InlineData("Bearer ==abc")]
    [InlineData("Bearer abc=def")]
    public async Task MalformedToken_Returns401InvalidToken_WithoutIntrospection(string authorization)
    {
        var before = f.Stub.Calls;
        using var response = await Send.GetAsync(f.Http, "/api/x", authorization);
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
        Assert.Equal(before, f.Stub.Calls);
    }

    [Fact]
    public async Task OverlongToken_Returns401InvalidToken_WithoutIntrospection()
    {
        var before = f.Stub.Calls;
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + new string('a', 16385));
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
        Assert.Equal(before, f.Stub.Calls);
    }

    [Fact]
    public async Task TwoAuthorizationHeaders_Returns400InvalidRequest()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token);
        // HttpClient folds repeated headers into one line; send two real header lines.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(f.Gateway.Gateway.Address.Host, f.Gateway.Gateway.Address.Port);
        var stream = tcp.GetStream();
        var raw = $"GET /api/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(raw));
        var answer = await new StreamReader(stream).ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains("\"error\":\"invalid_request\"", answer);
        Assert.DoesNotContain("X-Echo", answer);
    }

    [Fact]
    public async Task TwoTokensInOneHeader_Returns401InvalidToken()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token);
        using var response = await Send.GetAsync(f.Http, "/api/x", $"Bearer {token}, Bearer {token}");
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
    }

    [Fact]
    public async Task UnknownToken_Returns401InvalidToken()
    {
        var before = f.Stub.Calls;
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + Send.NewToken());
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
        Assert.Equal(before + 1, f.Stub.Calls);
        Assert.Equal("application/jwt", f.Stub.LastAccept);
    }

    [Fact]
    public async Task ForgedJwt_IsIntrospectedLikeAnyToken_AndRefused()
    {
        var forged = StubIntrospection.MintJwt("appointments records", TimeSpan.FromHours(1));
        var before = f.Stub.Calls;
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + forged);
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
        Assert.Equal(before + 1, f.Stub.Calls);
    }

    [Fact]
    public async Task ExpiredJwtFromIntrospection_Returns401InvalidToken()
    {
        var token = Send.NewToken();
        f.Stub.Answer(token, new StubAnswer(200, StubIntrospection.MintJwt("appointments", TimeSpan.FromSeconds(-30))));
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
    }

    [Fact]
    public async Task InactiveToken_IsNotCached()
    {
        var token = Send.NewToken();
        var before = f.Stub.Calls;
        for (var i = 0; i < 3; i++)
        {
            using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + token);
            await Send.AssertRefusedAsync(response, 401, "invalid_token");
        }
        Assert.Equal(before + 3, f.Stub.Calls);
    }

    [Fact]
    public async Task MissingScope_Returns403InsufficientScope_OnEveryCacheHit()
    {
        var token = Send.NewToken();
        f.Stub.Activate(token, scope: "appointments");
        using (var ok = await Send.GetAsync(f.Http, "/api/x", "Bearer " + token))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var before = f.Stub.Calls;
        for (var i = 0; i < 2; i++)
        {
            using var response = await Send.GetAsync(f.Http, "/records/x", "Bearer " + token);
            await Send.AssertRefusedAsync(response, 403, "insufficient_scope", scope: "records");
        }
        Assert.Equal(before, f.Stub.Calls);
    }

    [Theory]
    [InlineData(401, 502)]
    [InlineData(403, 502)]
    [InlineData(404, 502)]
    [InlineData(500, 502)]
    [InlineData(400, 502)]
    [InlineData(503, 503)]
    public async Task IntrospectionStatus_MapsToGatewayStatus(int introspectionStatus, int expected)
    {
        var token = Send.NewToken();
        f.Stub.Answer(token, new StubAnswer(introspectionStatus));
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, expected, expected == 503 ? "temporarily_unavailable" : "server_error");
    }

    [Fact]
    public async Task IntrospectionTimeout_Returns502()
    {
        var token = Send.NewToken();
        f.Stub.Answer(token, new StubAnswer(200, StubIntrospection.MintJwt("appointments", TimeSpan.FromMinutes(5)), Delay: TimeSpan.FromSeconds(4)));
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 502, "server_error");
    }

    [Fact]
    public async Task IntrospectionAnswers200WithoutJwt_Returns502()
    {
        var token = Send.NewToken();
        f.Stub.Answer(token, new StubAnswer(200, "not-a-jwt"));
        using var response = await Send.GetAsync(f.Http, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 502, "server_error");
    }

    [Fact]
    public async Task HeadRequest_Refused_HasNoBody_AndAllowed_PassesThrough()
    {
        using (var refused = await f.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/x")))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var token = Send.NewToken();
        f.Stub.Activate(token);
        using var request = new HttpRequestMessage(HttpMethod.Head, "/api/x");
        request.Headers.Authorization = Send.Bearer(token);
        using var response = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("X-Echo"));
    }
}
