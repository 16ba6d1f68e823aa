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

    [Fact]
    public async Task Health_StoreGone_ReadyFailsLiveStays()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-gone-").FullName;
        await using var host = await GatehouseTestHost.StartAsync(s =>
            s["Gatehouse:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "store.db")}");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
    }
}
