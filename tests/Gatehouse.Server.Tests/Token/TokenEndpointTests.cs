using System.Net;
using System.Text;
using Gatehouse.Server.Tests.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Token;

public class TokenEndpointTests : IAsyncLifetime
{
    private GatehouseTestHost _host = null!;
    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await GatehouseTestHost.StartAsync(s =>
    {
        s["Gatehouse:Clients:disabled:Secret"] = "disabled-secret-0123456789abcdefghijklmn";
        s["Gatehouse:Clients:disabled:Enabled"] = "false";
        s["Gatehouse:Clients:disabled:GrantTypes:0"] = "client_credentials";
        s["Gatehouse:Clients:disabled:Audience"] = "https://api.test";
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> Send(HttpRequestMessage request) => Client.SendAsync(request);

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var json = await JsonAsync(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task ClientCredentials_Basic_IssuesOpaqueToken()
    {
        var response = await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret), ("grant_type", "client_credentials")));
        var json = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(900, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("appointments records", json.GetProperty("scope").GetString());
        var token = json.GetProperty("access_token").GetString()!;
        Assert.Equal(43, token.Length);
        Assert.DoesNotContain('.', token);
        // RFC 6749 §5.1
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Contains("no-cache", response.Headers.Pragma.ToString());
    }

    [Fact]
    public async Task ClientCredentials_Post_IssuesToken()
    {
        var response = await Send(Form("/token", null, ("grant_type", "client_credentials"),
            ("client_id", "service"), ("client_secret", GatehouseTestHost.ServiceSecret)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ClientCredentials_JwtClient_IssuesRfc9068AccessToken()
    {
        var token = await TokenAsync(Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        var jwt = new JsonWebToken(token);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal("ES256", jwt.Alg);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal(GatehouseTestHost.Issuer, jwt.Issuer);
        Assert.Equal(["https://api.test"], jwt.Audiences);
        Assert.Equal("jwt-service", jwt.Subject);
        Assert.Equal("jwt-service", jwt.GetPayloadValue<string>("client_id"));
        Assert.Equal("appointments", jwt.GetPayloadValue<string>("scope"));
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.Equal(900, jwt.GetPayloadValue<long>("exp") - jwt.GetPayloadValue<long>("iat"));
    }

    [Fact]
    public async Task ClientCredentials_ScopeSubset_ReleasesOnlyThatScopesClaims()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret, "records");
        var introspection = await JsonAsync(await IntrospectAsync(Client, token));
        Assert.Equal("records", introspection.GetProperty("scope").GetString());
        Assert.Equal("cardiology", introspection.GetProperty("department").GetString());
        Assert.False(introspection.TryGetProperty("hospital", out _));
    }

    [Fact]
    public async Task ClientCredentials_ClaimMappings_RenameAndDropReleasedClaims()
    {
        await using var host = await GatehouseTestHost.StartAsync(s =>
        {
            s["Gatehouse:Clients:service:ClaimMappings:department"] = "dept";
            s["Gatehouse:Clients:service:ClaimMappings:hospital"] = "";
        });
        var token = await TokenAsync(host.Client, "service", GatehouseTestHost.ServiceSecret, "appointments");
        var introspection = await JsonAsync(await IntrospectAsync(host.Client, token));
        Assert.Equal("cardiology", introspection.GetProperty("dept").GetString());
        Assert.False(introspection.TryGetProperty("department", out _));
        Assert.False(introspection.TryGetProperty("hospital", out _));
    }

    [Theory]
    [InlineData("gatehouse.admin")]
    [InlineData("unknown")]
    [InlineData("appointments gatehouse.admin")]
    public async Task ClientCredentials_ScopeNotAllowed_InvalidScope(string scope) =>
        await AssertError(await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret),
            ("grant_type", "client_credentials"), ("scope", scope))), HttpStatusCode.BadRequest, "invalid_scope");

    [Fact]
    public async Task ClientCredentials_MalformedScope_InvalidScope() =>
        await AssertError(await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret),
            ("grant_type", "client_credentials"), ("scope", "appo\"intments"))), HttpStatusCode.BadRequest, "invalid_scope");

    [Fact]
    public async Task ClientCredentials_ClientWithoutGrant_UnauthorizedClient() =>
        await AssertError(await Send(Form("/token", Basic("gateway", GatehouseTestHost.GatewaySecret), ("grant_type", "client_credentials"))),
            HttpStatusCode.BadRequest, "unauthorized_client");

    [Theory]
    [InlineData("password")]
    [InlineData("implicit")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code")]
    [InlineData("\"\\é")]
    public async Task UnknownGrantType_UnsupportedGrantType(string grantType)
    {
        var response = await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret), ("grant_type", grantType)));
        await AssertError(response, HttpStatusCode.BadRequest, "unsupported_grant_type");
        // RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
        var description = (await JsonAsync(response)).GetProperty("error_description").GetString()!;
        Assert.All(description, c => Assert.True(c is >= ' ' and <= '~' and not '"' and not '\\', $"character U+{(int)c:X4}"));
    }

    [Fact]
    public async Task MissingGrantType_InvalidRequest() =>
        await AssertError(await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret))), HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task EmptyGrantType_TreatedAsMissing() =>
        await AssertError(await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret), ("grant_type", ""))), HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task DuplicateParameter_InvalidRequest() =>
        await AssertError(await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret),
            ("grant_type", "client_credentials"), ("grant_type", "client_credentials"))), HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task WrongSecret_InvalidClientWithBasicChallenge()
    {
        var response = await Send(Form("/token", Basic("service", "wrong-secret-0123456789abcdefghijklmnopqr"), ("grant_type", "client_credentials")));
        await AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task UnknownClient_InvalidClient() =>
        await AssertError(await Send(Form("/token", Basic("nobody", GatehouseTestHost.ServiceSecret), ("grant_type", "client_credentials"))),
            HttpStatusCode.Unauthorized, "invalid_client");

    [Fact]
    public async Task DisabledClient_InvalidClient() =>
        await AssertError(await Send(Form("/token", Basic("disabled", "disabled-secret-0123456789abcdefghijklmn"), ("grant_type", "client_credentials"))),
            HttpStatusCode.Unauthorized, "invalid_client");

    [Fact]
    public async Task PostAuthWrongSecret_InvalidClient() =>
        await AssertError(await Send(Form("/token", null, ("grant_type", "client_credentials"), ("client_id", "service"), ("client_secret", "nope"))),
            HttpStatusCode.Unauthorized, "invalid_client");

    [Fact]
    public async Task NoClientAuthentication_InvalidClient() =>
        await AssertError(await Send(Form("/token", null, ("grant_type", "client_credentials"))), HttpStatusCode.Unauthorized, "invalid_client");

    [Fact]
    public async Task PublicClientIdOnly_InvalidClient() =>
        await AssertError(await Send(Form("/token", null, ("grant_type", "client_credentials"), ("client_id", "service"))),
            HttpStatusCode.Unauthorized, "invalid_client");

    [Theory]
    [InlineData("Basic")]
    [InlineData("Basic ")]
    [InlineData("Basic !!!notbase64")]
    [InlineData("Basic c2VydmljZQ==")] // "service" without ':'
    [InlineData("Basic OnNlY3JldA==")] // ":secret", empty client id
    [InlineData("Basic /w==")] // a lone 0xFF byte: not UTF-8
    [InlineData("Basic c2VydmljZTolWlo=")] // "service:%ZZ": broken form-encoding
    public async Task MalformedBasicHeader_InvalidClient401(string header)
    {
        var response = await Send(Form("/token", header, ("grant_type", "client_credentials")));
        await AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task BasicWithFormEncodedSpecialCharacters_Authenticates()
    {
        // RFC 6749 §2.3.1: id and secret are form-encoded before base64, so ':' travels as %3A.
        await using var host = await GatehouseTestHost.StartAsync(s =>
        {
            s["Gatehouse:Clients:odd id+x:Secret"] = "p:ss word+&=0123456789abcdefghijklmnopq";
            s["Gatehouse:Clients:odd id+x:GrantTypes:0"] = "client_credentials";
            s["Gatehouse:Clients:odd id+x:Audience"] = "https://api.test";
        });
        var raw = $"{Uri.EscapeDataString("odd id+x")}:{Uri.EscapeDataString("p:ss word+&=0123456789abcdefghijklmnopq")}";
        var response = await host.Client.SendAsync(Form("/token", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)), ("grant_type", "client_credentials")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task BasicAndPostTogether_InvalidRequest() =>
        await AssertError(await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret),
            ("grant_type", "client_credentials"), ("client_id", "service"), ("client_secret", GatehouseTestHost.ServiceSecret))),
            HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task TwoAuthorizationHeaders_InvalidRequest()
    {
        var request = Form("/token", Basic("service", GatehouseTestHost.ServiceSecret), ("grant_type", "client_credentials"));
        request.Headers.TryAddWithoutValidation("Authorization", Basic("service", GatehouseTestHost.ServiceSecret));
        await AssertError(await Send(request), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("application/json", "{\"grant_type\":\"client_credentials\"}")]
    [InlineData("text/plain", "grant_type=client_credentials")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--\r\n")]
    [InlineData(null, "grant_type=client_credentials")]
    public async Task WrongContentType_InvalidRequest(string? contentType, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/token") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("Authorization", Basic("service", GatehouseTestHost.ServiceSecret));
        await AssertError(await Send(request), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task OversizedBody_413WithOAuthError()
    {
        var response = await Send(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret),
            ("grant_type", "client_credentials"), ("padding", new string('a', 20_000))));
        await AssertError(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request");
    }

    [Fact]
    public async Task OversizedChunkedBody_413WithOAuthError()
    {
        // No Content-Length: the limit must hold while reading, too.
        var body = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("grant_type=client_credentials&padding=" + new string('a', 40_000))));
        body.Headers.ContentType = new("application/x-www-form-urlencoded");
        var request = new HttpRequestMessage(HttpMethod.Post, "/token") { Content = body };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("Authorization", Basic("service", GatehouseTestHost.ServiceSecret));
        var response = await Send(request);
        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, response.StatusCode.ToString());
        Assert.Equal("invalid_request", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task InvalidPercentEncodingInBody_NoServerError()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/token") { Content = new StringContent("grant_type=%ZZ%&scope=%", Encoding.ASCII) };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.TryAddWithoutValidation("Authorization", Basic("service", GatehouseTestHost.ServiceSecret));
        var response = await Send(request);
        Assert.True((int)response.StatusCode is >= 400 and < 500, response.StatusCode.ToString());
    }

    [Fact]
    public async Task GetOnTokenEndpoint_405()
    {
        var response = await Client.GetAsync("/token?grant_type=client_credentials");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
