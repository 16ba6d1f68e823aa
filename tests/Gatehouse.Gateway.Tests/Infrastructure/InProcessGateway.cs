using Gatehouse.Gateway.Introspection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Tests.Infrastructure;

/// <summary>
/// Stub introspection + echo API + the gateway built by <see cref="GatewayHost"/>, all on loopback in this process.
/// Routes: /api (scope appointments), /records (scope records), /cors (CorsPreflight, GET/POST only), /public (PhantomToken false), /any (any valid token).
/// </summary>
public sealed class InProcessGateway : IAsyncDisposable
{
    private readonly bool _ownsStub;

    private InProcessGateway(StubIntrospection stub, bool ownsStub, LoopbackApp api, LoopbackApp gateway)
    {
        Stub = stub;
        _ownsStub = ownsStub;
        Api = api;
        Gateway = gateway;
    }

    public StubIntrospection Stub { get; }
    public LoopbackApp Api { get; }
    public LoopbackApp Gateway { get; }
    public HttpClient CreateClient() => Gateway.CreateClient();
    public IntrospectionClient Introspection => Gateway.App.Services.GetRequiredService<IntrospectionClient>();

    public static Dictionary<string, string?> Configuration(Uri introspection, Uri api, string maximumLifetime = "00:00:30") => new()
    {
        ["Gatehouse:Gateway:Introspection:Endpoint"] = introspection.ToString(),
        ["Gatehouse:Gateway:Introspection:ClientId"] = StubIntrospection.ClientId,
        ["Gatehouse:Gateway:Introspection:ClientSecret"] = StubIntrospection.ClientSecret,
        ["Gatehouse:Gateway:Introspection:Timeout"] = "00:00:02",
        ["Gatehouse:Gateway:Cache:MaximumLifetime"] = maximumLifetime,
        ["Gatehouse:Gateway:MaxTokenLength"] = "16384",
        ["Gatehouse:Gateway:Clusters:api:Destinations:d1:Address"] = api.ToString(),
        ["Gatehouse:Gateway:Routes:api:ClusterId"] = "api",
        ["Gatehouse:Gateway:Routes:api:Match:Path"] = "/api/{**rest}",
        ["Gatehouse:Gateway:Routes:api:RequiredScopes:0"] = "appointments",
        ["Gatehouse:Gateway:Routes:records:ClusterId"] = "api",
        ["Gatehouse:Gateway:Routes:records:Match:Path"] = "/records/{**rest}",
        ["Gatehouse:Gateway:Routes:records:RequiredScopes:0"] = "records",
        ["Gatehouse:Gateway:Routes:cors:ClusterId"] = "api",
        ["Gatehouse:Gateway:Routes:cors:Match:Path"] = "/cors/{**rest}",
        ["Gatehouse:Gateway:Routes:cors:CorsPreflight"] = "true",
        ["Gatehouse:Gateway:Routes:cors:AllowedMethods:0"] = "GET",
        ["Gatehouse:Gateway:Routes:cors:AllowedMethods:1"] = "POST",
        ["Gatehouse:Gateway:Routes:cors:AllowedMethods:2"] = "OPTIONS",
        ["Gatehouse:Gateway:Routes:public:ClusterId"] = "api",
        ["Gatehouse:Gateway:Routes:public:Match:Path"] = "/public/{**rest}",
        ["Gatehouse:Gateway:Routes:public:PhantomToken"] = "false",
        ["Gatehouse:Gateway:Routes:any:ClusterId"] = "api",
        ["Gatehouse:Gateway:Routes:any:Match:Path"] = "/any/{**rest}",
    };

    /// <param name="stub">A stub shared with other gateways (not disposed with this one); null: a stub of its own.</param>
    /// <param name="logs">Receives the gateway's logs; null: none.</param>
    public static async Task<InProcessGateway> StartAsync(string maximumLifetime = "00:00:30", Action<Dictionary<string, string?>>? change = null, int port = 0,
        StubIntrospection? stub = null, ILoggerProvider? logs = null)
    {
        var ownsStub = stub is null;
        stub ??= await StubIntrospection.StartAsync();
        var api = await EchoApi.StartAsync();
        var settings = Configuration(stub.Endpoint, api.Address, maximumLifetime);
        change?.Invoke(settings);
        var gateway = await LoopbackApp.StartAsync(builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            if (logs is not null)
                builder.Logging.AddProvider(logs);
            return GatewayHost.Build(builder);
        }, port);
        return new InProcessGateway(stub, ownsStub, api, gateway);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
        if (_ownsStub)
            await Stub.DisposeAsync();
    }
}
