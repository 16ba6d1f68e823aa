using System.Net;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Admin;

public class ServiceRoleMappingTests
{
    [Fact]
    public async Task TokenRole_MapsOnlyTokenEndpoints()
    {
        await using var host = await GatehouseTestHost.StartAsync(s => s["Gatehouse:Roles"] = "token");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret), ("grant_type", "client_credentials")))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task AdminRole_MapsOnlyAdminEndpoints()
    {
        await using var host = await GatehouseTestHost.StartAsync(s => s["Gatehouse:Roles"] = "admin");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.SendAsync(Form("/token", Basic("service", GatehouseTestHost.ServiceSecret), ("grant_type", "client_credentials")))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/jwks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/admin/keys")).StatusCode);
    }

    [Fact]
    public async Task AuthenticationRole_ServesMetadataButNoTokenEndpoint()
    {
        await using var host = await GatehouseTestHost.StartAsync(s => s["Gatehouse:Roles"] = "authentication");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/jwks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.SendAsync(Form("/introspect", null, ("token", "x")))).StatusCode);
    }
}
