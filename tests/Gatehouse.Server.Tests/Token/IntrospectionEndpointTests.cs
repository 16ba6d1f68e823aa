using System.Net;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Token;

public class IntrospectionEndpointTests : IAsyncLifetime
{
    private GatehouseTestHost _host = null!;
    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await GatehouseTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Introspect_ActiveOpaqueToken_ReturnsClaimsAndMaxAge()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        _host.Time.Advance(TimeSpan.FromSeconds(100));
        var response = await IntrospectAsync(Client, token);
        var json = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal("service", json.GetProperty("client_id").GetString());
        Assert.Equal("service", json.GetProperty("sub").GetString());
        Assert.Equal("appointments records", json.GetProperty("scope").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(GatehouseTestHost.Issuer, json.GetProperty("iss").GetString());
        Assert.Equal("https://api.test", json.GetProperty("aud").GetString());
        Assert.Equal("st-mary", json.GetProperty("hospital").GetString());
        // The answer may be cached for the token's remaining life and no longer.
        Assert.Equal(TimeSpan.FromSeconds(800), response.Headers.CacheControl!.MaxAge);
    }

    [Fact]
    public async Task Introspect_ActiveJwtToken_Active()
    {
        var token = await TokenAsync(Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        var json = await JsonAsync(await IntrospectAsync(Client, token));
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal("jwt-service", json.GetProperty("client_id").GetString());
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // opaque shape, never issued
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")] // alg none
    [InlineData("a.b.c")]
    public async Task Introspect_UnknownToken_InactiveOnly(string token)
    {
        var response = await IntrospectAsync(Client, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"active\":false}", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Introspect_ExpiredOpaqueToken_Inactive()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        _host.Time.Advance(TimeSpan.FromSeconds(901));
        Assert.False((await JsonAsync(await IntrospectAsync(Client, token))).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspect_ExpiredJwt_Inactive()
    {
        var token = await TokenAsync(Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        _host.Time.Advance(TimeSpan.FromSeconds(900));
        Assert.False((await JsonAsync(await IntrospectAsync(Client, token))).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspect_TamperedJwt_Inactive()
    {
        var token = await TokenAsync(Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"appointments\"", "\"records\"");
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        Assert.False((await JsonAsync(await IntrospectAsync(Client, tampered))).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspect_AcceptJwt_ReturnsPairedJwt()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await IntrospectAsync(Client, token, "application/jwt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwt", response.Content.Headers.ContentType!.MediaType);
        var jwt = new JsonWebToken(await response.Content.ReadAsStringAsync());
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal("service", jwt.Subject);
        Assert.NotNull(response.Headers.CacheControl!.MaxAge);
    }

    [Fact]
    public async Task Introspect_AcceptJwt_InactiveToken_204()
    {
        var response = await IntrospectAsync(Client, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "application/jwt");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Introspect_AcceptPrefersJsonByQuality()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await IntrospectAsync(Client, token, "application/jwt;q=0.5, application/json");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Introspect_SignedResponse_Rfc9701()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await IntrospectAsync(Client, token, "application/token-introspection+jwt");
        Assert.Equal("application/token-introspection+jwt", response.Content.Headers.ContentType!.MediaType);
        var keys = _host.Services.GetRequiredService<SigningKeyRing>().ValidationKeys;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(await response.Content.ReadAsStringAsync(), new TokenValidationParameters
        {
            ValidIssuer = GatehouseTestHost.Issuer,
            ValidAudience = "gateway",
            IssuerSigningKeys = keys,
            ValidTypes = ["token-introspection+jwt"],
            RequireExpirationTime = false,
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        var inner = jwt.GetPayloadValue<System.Text.Json.JsonElement>("token_introspection");
        Assert.True(inner.GetProperty("active").GetBoolean());
        Assert.Equal("service", inner.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task Introspect_SignedResponse_InactiveToken()
    {
        var response = await IntrospectAsync(Client, "nope", "application/token-introspection+jwt");
        var jwt = new JsonWebToken(await response.Content.ReadAsStringAsync());
        var inner = jwt.GetPayloadValue<System.Text.Json.JsonElement>("token_introspection");
        Assert.False(inner.GetProperty("active").GetBoolean());
        Assert.Single(inner.EnumerateObject());
    }

    [Fact]
    public async Task Introspect_ClientNotAllowedToIntrospect_403()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await Client.SendAsync(Form("/introspect", Basic("service", GatehouseTestHost.ServiceSecret), ("token", token)));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("unauthorized_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Introspect_WithoutClientAuthentication_401()
    {
        var response = await Client.SendAsync(Form("/introspect", null, ("token", "x")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Introspect_MissingToken_InvalidRequest()
    {
        var response = await Client.SendAsync(Form("/introspect", Basic("gateway", GatehouseTestHost.GatewaySecret)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Introspect_HugeToken_InactiveWithoutLookup()
    {
        var response = await Client.SendAsync(Form("/introspect", Basic("gateway", GatehouseTestHost.GatewaySecret), ("token", new string('a', 15_000))));
        Assert.False((await JsonAsync(response)).GetProperty("active").GetBoolean());
    }
}
