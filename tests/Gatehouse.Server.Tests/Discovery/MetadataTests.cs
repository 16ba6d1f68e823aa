using System.Net;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Discovery;

public class MetadataTests
{
    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/oauth-authorization-server")]
    public async Task Metadata_DescribesEndpointsUnderIssuer(string path)
    {
        await using var host = await GatehouseTestHost.StartAsync();
        var response = await host.Client.GetAsync(path);
        var json = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // RFC 8414 §3.3: the issuer must be identical to the one the metadata was fetched for.
        Assert.Equal(GatehouseTestHost.Issuer, json.GetProperty("issuer").GetString());
        Assert.Equal(GatehouseTestHost.Issuer + "/token", json.GetProperty("token_endpoint").GetString());
        Assert.Equal(GatehouseTestHost.Issuer + "/jwks", json.GetProperty("jwks_uri").GetString());
        Assert.Equal(GatehouseTestHost.Issuer + "/introspect", json.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(GatehouseTestHost.Issuer + "/revoke", json.GetProperty("revocation_endpoint").GetString());
        Assert.Contains("client_credentials", json.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["client_secret_basic", "client_secret_post", "none"],
            json.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(GatehouseTestHost.Issuer + "/userinfo", json.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(["urn:gatehouse:acr:pwd", "urn:gatehouse:acr:mfa"], json.GetProperty("acr_values_supported").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(["public"], json.GetProperty("subject_types_supported").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var claims = json.GetProperty("claims_supported").EnumerateArray().Select(e => e.GetString()).ToArray();
        foreach (var claim in new[] { "sub", "auth_time", "nonce", "at_hash", "sid", "amr", "acr" })
            Assert.Contains(claim, claims);
        Assert.Equal(["introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"],
            new[] { "introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported" }
                .Where(name => !json.GetProperty(name).EnumerateArray().Any(e => e.GetString() == "none")));
        Assert.Contains("appointments", json.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ES256"], json.GetProperty("introspection_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task Jwks_PublishesPublicKeysOnly()
    {
        await using var host = await GatehouseTestHost.StartAsync();
        var response = await host.Client.GetAsync("/jwks");
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(TimeSpan.FromMinutes(5), response.Headers.CacheControl!.MaxAge);
        var key = (await JsonAsync(response)).GetProperty("keys").EnumerateArray().Single();
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Theory]
    [InlineData("RS256", "RSA")]
    [InlineData("PS256", "RSA")]
    public async Task Jwks_RsaAlgorithms(string algorithm, string kty)
    {
        await using var host = await GatehouseTestHost.StartAsync(s => s["Gatehouse:Keys:Algorithm"] = algorithm);
        var key = (await JsonAsync(await host.Client.GetAsync("/jwks"))).GetProperty("keys").EnumerateArray().Single();
        Assert.Equal(kty, key.GetProperty("kty").GetString());
        Assert.Equal(algorithm, key.GetProperty("alg").GetString());
        foreach (var secret in new[] { "d", "p", "q", "dp", "dq", "qi" })
            Assert.False(key.TryGetProperty(secret, out _), secret);
        var token = await TokenAsync(host.Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        Assert.Equal(algorithm, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Alg);
    }
}
