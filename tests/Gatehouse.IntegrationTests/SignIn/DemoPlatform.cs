using Gatehouse.IntegrationTests.Infrastructure;

namespace Gatehouse.IntegrationTests.SignIn;

/// <summary>
/// One <c>gatehouse up</c> for a test collection: the server with all roles, the Workload API agent, the gateway, the
/// Medical API (mTLS, gateway only) and the doctor portal, on free loopback ports, with the demo secrets and passwords it wrote.
/// </summary>
public sealed class DemoPlatform : IAsyncLifetime
{
    public const string Collection = "gatehouse up";

    private readonly TempDirectory _work = new();
    private GatehouseServer? _server;

    public GatehouseServer Server => _server ?? throw new InvalidOperationException("gatehouse up did not start");
    public string Issuer => Server.BaseAddress.ToString().TrimEnd('/');
    public int GatewayPort { get; } = FreePort.Next();
    public int ApiPort { get; } = FreePort.Next();
    public int PortalPort { get; } = FreePort.Next();
    public string Gateway => $"http://127.0.0.1:{GatewayPort}";
    public string Portal => $"http://127.0.0.1:{PortalPort}";
    public string MedicalApi => $"https://127.0.0.1:{ApiPort}";
    public string AgentSocket => _work.Combine("data", "workload", "agent.sock");
    public const string TrustDomain = "gatehouse.test";
    public IReadOnlyDictionary<string, string> Env { get; private set; } = new Dictionary<string, string>();

    public string PasswordOf(string username) => Env[$"{username.ToUpperInvariant().Replace('-', '_')}_PASSWORD"];

    public async Task InitializeAsync()
    {
        var data = _work.Combine("data");
        _server = await GatehouseServer.StartAsync(port => new(
            ["up", "--data", data, "--port", port.ToString(), "--gateway-port", GatewayPort.ToString(), "--api-port", ApiPort.ToString(),
                "--portal-port", PortalPort.ToString()], _work.Path));
        await _server.Process.WaitForHttpOkAsync(new Uri(Portal), "/health");
        await _server.Process.WaitForHttpOkAsync(new Uri(Gateway), "/_gatehouse/health/live");
        Env = ReadDemoEnv(Path.Combine(data, "demo.env"));
    }

    /// <summary>Parses lines <c>export NAME=value</c>.</summary>
    public static Dictionary<string, string> ReadDemoEnv(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _work.Dispose();
    }
}

[CollectionDefinition(DemoPlatform.Collection)]
public sealed class DemoPlatformCollection : ICollectionFixture<DemoPlatform>;
