using System.Net;
using System.Text.Json;
using Gatehouse.IntegrationTests.Infrastructure;
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

        await using var server = await GatehouseServer.StartAsync(port => new(["up", "--data", data, "--port", port.ToString()], work.Path));
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

        var secrets = ReadDemoEnv(Path.Combine(data, "demo.env"));
        Assert.Equal(["DEMO_ADMIN_SECRET", "DEMO_GATEWAY_SECRET", "DEMO_JWT_SERVICE_SECRET", "DEMO_SERVICE_SECRET"], secrets.Keys.Order());
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
    public async Task Up_RestartOnSameDataDirectory_ReusesConfiguration_AndEarlierTokensStayActive()
    {
        using var work = new TempDirectory();
        var data = work.Combine("data");
        int port;
        string opaque;
        Dictionary<string, string> secrets;

        await using (var first = await GatehouseServer.StartAsync(p => new(["up", "--data", data, "--port", p.ToString()], work.Path)))
        {
            port = first.Port;
            secrets = ReadDemoEnv(Path.Combine(data, "demo.env"));
            using var http = first.CreateClient();
            opaque = await Tokens.ObtainAsync(http, "demo-service", secrets["DEMO_SERVICE_SECRET"]);
        }

        await using var second = GatehouseProcess.Start(["up", "--data", data, "--port", port.ToString()], work.Path);
        await second.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{port}"), "/health/ready");

        Assert.Contains($"Using the demo configuration {Path.Combine(data, "gatehouse.json")}", second.Stdout);
        Assert.Equal(secrets, ReadDemoEnv(Path.Combine(data, "demo.env")));
        using var client = TestHttp.Create(new Uri($"http://127.0.0.1:{port}"));
        Assert.True(await IsActiveAsync(client, secrets["DEMO_GATEWAY_SECRET"], opaque), "a token issued before the restart is no longer active");
        await Tokens.ObtainAsync(client, "demo-service", secrets["DEMO_SERVICE_SECRET"]);
    }

    /// <summary>Parses lines <c>export NAME=value</c>.</summary>
    private static Dictionary<string, string> ReadDemoEnv(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

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
