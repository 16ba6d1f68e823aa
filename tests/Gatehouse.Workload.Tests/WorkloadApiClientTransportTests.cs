using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Tests;

/// <summary>The client reaches the agent at the address SPIFFE_ENDPOINT_SOCKET names, over either transport.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class WorkloadApiClientTransportTests : IDisposable
{
    private static readonly TrustDomain Td = TrustDomain.Parse("example.org");
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-client-").FullName;
    private readonly WorkloadCaManager _ca = new(new WorkloadCaOptions { TrustDomain = Td }, TimeProvider.System);
    private readonly InMemoryRegistrationEntryStore _entries = new();

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }


    [Fact]
    public async Task FromEnvironment_UnixAddress_FetchesJwtSvid()
    {
        var socket = Path.Combine(_directory, "agent.sock");
        await _entries.CreateAsync(new RegistrationEntry("me", SpiffeId.FromPath(Td, "/api"), [Selector.UnixUid(TestPki.CurrentUid())]));
        await using var agent = WorkloadApiHost.Create(socket, _ca, _entries);
        await agent.StartAsync();
        using var _ = new EnvironmentVariable(WorkloadEndpointAddress.EnvironmentVariable, "unix://" + socket);

        using var client = WorkloadApiClient.FromEnvironment();
        var svid = Assert.Single(await client.FetchJwtSvidsAsync(["x"]));

        Assert.Equal(socket, client.Address.SocketPath);
        Assert.Equal("spiffe://example.org/api", svid.SpiffeId);
    }

    [Fact]
    public async Task TcpAddress_ConnectsOverTcp_AgentServesUnixSocketOnly()
    {
        // The service behind TCP on loopback: the client gets through, and the service refuses a caller it cannot attest.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IWorkloadIdentityProvider>(new LocalWorkloadIdentityProvider(_ca, _entries));
        builder.Services.AddSingleton<IWorkloadAttestor>(new UnixWorkloadAttestor());
        builder.Services.AddSingleton(new WorkloadApiFederation());
        builder.Services.AddSingleton(TimeProvider.System);
        await using var app = builder.Build();
        app.MapGrpcService<WorkloadApiService>();
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        using var _ = new EnvironmentVariable(WorkloadEndpointAddress.EnvironmentVariable, $"tcp://127.0.0.1:{port}");

        using var client = WorkloadApiClient.FromEnvironment();
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.FetchJwtSvidsAsync(["x"]));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("Unix socket only", ex.Status.Detail);
    }

    [Fact]
    public void FromEnvironment_BadScheme_ClearErrorBeforeAnyConnection()
    {
        using var _ = new EnvironmentVariable(WorkloadEndpointAddress.EnvironmentVariable, "https://127.0.0.1:8443");

        var ex = Assert.Throws<WorkloadEndpointAddressException>(WorkloadApiClient.FromEnvironment);

        Assert.Equal("Invalid Workload API address 'https://127.0.0.1:8443': scheme 'https' is not supported; use unix:///path or tcp://IP:port.", ex.Message);
    }
}
