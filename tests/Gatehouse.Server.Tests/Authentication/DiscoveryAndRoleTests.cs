using System.Net;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Authentication;

/// <summary>The authentication role's metadata (RFC 8414, OIDC Discovery, RFC 9126 §5, RFC 9207 §3, RP-Initiated Logout §2.1) and mapping.</summary>
public class DiscoveryAndRoleTests
{
    [Fact]
    public async Task Metadata_AdvertisesCodeFlowParAndLogout()
    {
        await using var host = await AuthenticationHost.StartAsync();
        var json = await JsonAsync(await host.Host.Client.GetAsync("/.well-known/openid-configuration"));
        string[] Strings(string name) => json.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

        Assert.Equal(GatehouseTestHost.Issuer + "/authorize", json.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(["code"], Strings("response_types_supported"));
        Assert.Equal(["query"], Strings("response_modes_supported"));
        Assert.Equal(["S256"], Strings("code_challenge_methods_supported"));
        Assert.Equal(["none", "login", "consent"], Strings("prompt_values_supported"));
        Assert.True(json.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Equal(GatehouseTestHost.Issuer + "/par", json.GetProperty("pushed_authorization_request_endpoint").GetString());
        Assert.False(json.GetProperty("require_pushed_authorization_requests").GetBoolean());
        Assert.False(json.GetProperty("request_parameter_supported").GetBoolean());
        Assert.Equal(GatehouseTestHost.Issuer + "/logout", json.GetProperty("end_session_endpoint").GetString());
        Assert.Contains("openid", Strings("scopes_supported"));
    }

    [Fact]
    public async Task TokenRoleOnly_NoAuthenticationEndpoints()
    {
        await using var host = await AuthenticationHost.StartAsync(s => s["Gatehouse:Roles"] = "token");
        foreach (var path in new[] { "/authorize", "/login", "/consent", "/logout", "/account", "/account/totp" })
            Assert.Equal(HttpStatusCode.NotFound, (await host.Host.Client.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Host.Client.SendAsync(Form("/par", null, ("client_id", "spa")))).StatusCode);
    }

    [Fact]
    public async Task AuthenticationRoleOnly_ServesLoginAndNoTokenEndpoint()
    {
        await using var host = await AuthenticationHost.StartAsync(s => s["Gatehouse:Roles"] = "authentication");
        Assert.Equal(HttpStatusCode.OK, (await host.Host.Client.GetAsync("/login")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Host.Client.SendAsync(Form("/token", null, ("grant_type", "client_credentials")))).StatusCode);
    }
}
