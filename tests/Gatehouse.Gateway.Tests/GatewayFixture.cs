using Gatehouse.Gateway.Tests.Infrastructure;

namespace Gatehouse.Gateway.Tests;

public sealed class GatewayFixture : IAsyncLifetime
{
    public InProcessGateway Gateway { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public StubIntrospection Stub => Gateway.Stub;

    public async Task InitializeAsync()
    {
        Gateway = await InProcessGateway.StartAsync();
        Http = Gateway.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Gateway.DisposeAsync();
    }
}
