using System.Net;

namespace Gatehouse.Server.Tests.Hosting;

public class HostSmokeTests
{
    [Fact]
    public async Task Health_LiveAndReady_Answer200()
    {
        await using var host = await GatehouseTestHost.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);
    }
}
