using System.Net;
using System.Text.Json;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.IntegrationTests.SignIn;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.IntegrationTests;

/// <summary><c>gatehouse up</c>: one command from nothing to a working server with demo clients whose secrets work.</summary>
public class UpCommandTests
{
    [Fact]
    public async Task Up_FreshDataDirectory_SaysWhereItListens_IsReady_AndDemoSecretsObtainTokens()
    {
        using var work = new TempDirectory();
        var data = work.Combine("data");

        await using var server = await GatehouseServer.StartAsync(port => new(["up", "--data", data, "--port", port.ToString(), .. OtherPorts()], work.Path));
        var stdout = server.Process.Stdout;
        var address = server.BaseAddress.ToString().TrimEnd('/');

        Assert.Contains($"Created the demo configuration {Path.Combine(data, "gatehouse.json")}", stdout);
        Assert.Contains($"source {Path.Combine(data, "demo.env")}", stdout);
        Assert.Contains($"for issuer {address}", stdout);
        Assert.Contains($"listening on {address}", stdout);
        Assert.Contains($"{address}/token", stdout);
        Assert.Contains($"{address}/.well-known/openid-configuration", stdout);
        Assert.Contains($"{address}/health/ready", stdout);

        using var http = server.CreateClient();
        using (var ready = await http.GetAsync("/health/ready"))
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        var secrets = DemoPlatform.ReadDemoEnv(Path.Combine(data, "demo.env"));
        Assert.Equal(["DEMO_ADMIN_SECRET", "DEMO_DOCTOR_PORTAL_SECRET", "DEMO_GATEWAY_SECRET", "DEMO_JWT_SERVICE_SECRET", "DEMO_MEDICAL_PORTAL_SECRET", "DEMO_SERVICE_SECRET",
            "DR_ALICE_PASSWORD", "DR_BOB_PASSWORD", "DR_CAROL_PASSWORD", "DR_DAVE_PASSWORD"], secrets.Keys.Order());
        Assert.Contains("Created user dr-alice from the configuration", stdout);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "demo.env")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "gatehouse.json")));
        }

        var opaque = await Tokens.ObtainAsync(http, "demo-service", secrets["DEMO_SERVICE_SECRET"]);
        Assert.Equal(43, opaque.Length);
        var jwt = new JsonWebToken(await Tokens.ObtainAsync(http, "demo-jwt-service", secrets["DEMO_JWT_SERVICE_SECRET"]));
        Assert.Equal(address, jwt.Issuer);
        Assert.Equal("demo-jwt-service", jwt.GetPayloadValue<string>("client_id"));

        // The data stays under --data, nothing lands in the working directory.
        Assert.True(File.Exists(Path.Combine(data, "gatehouse.db")));
        Assert.Equal(["data"], Directory.EnumerateFileSystemEntries(work.Path).Select(Path.GetFileName));

        // The gateway secret introspects the service's opaque token.
        Assert.True(await IsActiveAsync(http, secrets["DEMO_GATEWAY_SECRET"], opaque));
    }

    [Fact]
    public async Task Up_GatewayExchangesOpaqueTokensForTheMedicalApi()
    {
        using var work = new TempDirectory();
        var data = work.Combine("data");
        int gatewayPort = FreePort.Next(), apiPort = FreePort.Next();
        await using var server = await GatehouseServer.StartAsync(port => new(
            ["up", "--data", data, "--port", port.ToString(), "--gateway-port", gatewayPort.ToString(), "--api-port", apiPort.ToString(),
                "--portal-port", FreePort.Next().ToString()], work.Path));
        // The server answers first; the API and the gateway start right after it.
        await server.Process.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{gatewayPort}"), "/_gatehouse/health/live");
        Assert.Contains($"listening on http://127.0.0.1:{gatewayPort}", server.Process.Stdout);
        Assert.Contains($"Medical sample API on https://127.0.0.1:{apiPort}", server.Process.Stdout);

        using var http = server.CreateClient();
        var secrets = DemoPlatform.ReadDemoEnv(Path.Combine(data, "demo.env"));
        var opaque = await Tokens.ObtainAsync(http, "demo-medical-portal", secrets["DEMO_MEDICAL_PORTAL_SECRET"]);
        using var gateway = TestHttp.Create(new Uri($"http://127.0.0.1:{gatewayPort}"));

        using (var anonymous = await gateway.GetAsync("/medical/appointments"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/medical/appointments");
        request.Headers.Authorization = new("Bearer", opaque);
        using var response = await gateway.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The demo portal stands for a cardiologist at st-mary: the API's rules, applied to the JWT the gateway forwarded.
        var appointments = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(appointments);
        Assert.All(appointments, a =>
        {
            Assert.Equal("cardiology", a.GetProperty("department").GetString());
            Assert.Equal("st-mary", a.GetProperty("hospitalId").GetString());
        });
        // The API itself is reachable only by the gateway's SVID, and needs the JWT: Spiffe/UpMtlsTests.
    }

    [Fact]
    public async Task Up_DataDirectoryWithBrokenConfiguration_NamesTheFile_AndExitsWithTheConfigurationCode()
    {
        using var work = new TempDirectory();
        var data = work.Combine("data");
        Directory.CreateDirectory(data);
        var config = Path.Combine(data, "gatehouse.json");
        await File.WriteAllTextAsync(config, """{ "Gatehouse": { "Issuer": """);

        var result = await GatehouseProcess.RunAsync(["up", "--data", data, "--port", FreePort.Next().ToString(), .. OtherPorts()], workingDirectory: work.Path);

        Assert.True(result.ExitCode == 2, result.Description);
        Assert.Contains($"Failed to load configuration from file '{config}'", result.Stderr);
        Assert.Contains("not valid JSON", result.Stderr);
        Assert.Equal("""{ "Gatehouse": { "Issuer": """, await File.ReadAllTextAsync(config));
    }

    [Fact]
    public async Task Up_DataDirectoryTooLongForTheWorkloadApiSocket_SaysSo_AndExitsWithTheConfigurationCode()
    {
        using var work = new TempDirectory();
        var data = work.Combine(new string('d', 100));

        var result = await GatehouseProcess.RunAsync(["up", "--data", data, "--port", FreePort.Next().ToString(), .. OtherPorts()], workingDirectory: work.Path);

        Assert.True(result.ExitCode == 2, result.Description);
        Assert.Contains($"The Workload API socket {Path.Combine(data, "workload", "agent.sock")} is longer than a Unix socket path may be", result.Stderr);
        Assert.Contains("Fix: choose a shorter --data path.", result.Stderr);
    }

    [Fact]
    public async Task Up_InvalidTrustDomain_IsRefusedBeforeAnythingStarts()
    {
        using var work = new TempDirectory();

        var result = await GatehouseProcess.RunAsync(["up", "--data", work.Combine("data"), "--trust-domain", "Example.ORG"], workingDirectory: work.Path);

        Assert.True(result.ExitCode != 0, result.Description);
        Assert.Contains("--trust-domain 'Example.ORG' is not a trust domain name", result.Stderr);
        Assert.False(Directory.Exists(work.Combine("data")), result.Description);
    }

    private static string[] OtherPorts() =>
        ["--gateway-port", FreePort.Next().ToString(), "--api-port", FreePort.Next().ToString(), "--portal-port", FreePort.Next().ToString()];

    [Fact]
    public async Task Up_RestartOnSameDataDirectory_ReusesConfiguration_AndEarlierTokensStayActive()
    {
        using var work = new TempDirectory();
        var data = work.Combine("data");
        int port;
        string opaque;
        Dictionary<string, string> secrets;

        await using (var first = await GatehouseServer.StartAsync(p => new(["up", "--data", data, "--port", p.ToString(), .. OtherPorts()], work.Path)))
        {
            port = first.Port;
            secrets = DemoPlatform.ReadDemoEnv(Path.Combine(data, "demo.env"));
            using var http = first.CreateClient();
            opaque = await Tokens.ObtainAsync(http, "demo-service", secrets["DEMO_SERVICE_SECRET"]);
        }

        await using var second = GatehouseProcess.Start(["up", "--data", data, "--port", port.ToString(), .. OtherPorts()], work.Path);
        await second.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{port}"), "/health/ready");

        Assert.Contains($"Using the demo configuration {Path.Combine(data, "gatehouse.json")}", second.Stdout);
        Assert.Equal(secrets, DemoPlatform.ReadDemoEnv(Path.Combine(data, "demo.env")));
        using var client = TestHttp.Create(new Uri($"http://127.0.0.1:{port}"));
        Assert.True(await IsActiveAsync(client, secrets["DEMO_GATEWAY_SECRET"], opaque), "a token issued before the restart is no longer active");
        await Tokens.ObtainAsync(client, "demo-service", secrets["DEMO_SERVICE_SECRET"]);
    }

    private static async Task<bool> IsActiveAsync(HttpClient http, string gatewaySecret, string token)
    {
        using var response = await http.PostAsync("/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "demo-gateway",
            ["client_secret"] = gatewaySecret,
            ["token"] = token,
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("active").GetBoolean();
    }
}
