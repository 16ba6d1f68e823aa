using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Gateway.Tests.Infrastructure;

/// <summary>
/// <c>gatehouse serve</c> (SQLite in a temp directory) + an echo API + <c>gatehouse gateway</c>, all real processes or
/// sockets on loopback. The server can be killed and started again on the same port with the same store.
/// </summary>
public sealed class RealStack : IAsyncDisposable
{
    public const string GatewaySecret = "gateway-secret-0123456789abcdefghijklmnop";
    public const string ServiceSecret = "service-secret-0123456789abcdefghijklmnop";

    private RealStack(string directory, int serverPort, LoopbackApp api)
    {
        Directory = directory;
        ServerPort = serverPort;
        Api = api;
    }

    public string Directory { get; }
    public int ServerPort { get; }
    public Uri ServerAddress => new($"http://127.0.0.1:{ServerPort}");
    public GatehouseProcess? Server { get; private set; }
    public GatehouseProcess? Gateway { get; private set; }
    public int GatewayPort { get; private set; }
    public Uri GatewayAddress => new($"http://127.0.0.1:{GatewayPort}");
    public LoopbackApp Api { get; }

    public static async Task<RealStack> StartAsync(string cacheMaximumLifetime = "00:00:30")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gatehouse-gw-").FullName;
        var api = await EchoApi.StartAsync();
        var stack = new RealStack(directory, FreePort.Next(), api);
        stack.WriteServerConfig();
        await stack.StartServerAsync();
        stack.WriteGatewayConfig(cacheMaximumLifetime);
        await stack.StartGatewayAsync();
        return stack;
    }

    public string ServerConfigPath => Path.Combine(Directory, "server.json");
    public string GatewayConfigPath => Path.Combine(Directory, "gateway.json");

    private void WriteServerConfig()
    {
        static JsonObject Client(string secret, string format, string[] scopes) => new()
        {
            ["Secret"] = secret,
            ["GrantTypes"] = new JsonArray("client_credentials"),
            ["Scopes"] = new JsonArray(scopes.Select(s => (JsonNode)s).ToArray()),
            ["AccessTokenFormat"] = format,
            ["Audience"] = "https://api.test",
            ["Claims"] = new JsonObject { ["hospital"] = "st-mary", ["department"] = "cardiology" },
        };
        var document = new JsonObject
        {
            ["Gatehouse"] = new JsonObject
            {
                ["Issuer"] = ServerAddress.ToString().TrimEnd('/'),
                ["Roles"] = "all",
                ["Storage"] = new JsonObject { ["Provider"] = "sqlite", ["ConnectionString"] = $"Data Source={Path.Combine(Directory, "gatehouse.db")}" },
                ["Keys"] = new JsonObject { ["Algorithm"] = "ES256", ["EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
                ["Scopes"] = new JsonObject
                {
                    ["appointments"] = new JsonObject { ["Description"] = "Appointments", ["Claims"] = new JsonArray("hospital") },
                    ["records"] = new JsonObject { ["Description"] = "Records", ["Claims"] = new JsonArray("department") },
                },
                ["Clients"] = new JsonObject
                {
                    ["service"] = Client(ServiceSecret, "opaque", ["appointments", "records"]),
                    ["jwt-service"] = Client(ServiceSecret, "jwt", ["appointments"]),
                    ["gateway"] = new JsonObject { ["Secret"] = GatewaySecret, ["Introspection"] = true },
                },
            },
        };
        File.WriteAllText(ServerConfigPath, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public void WriteGatewayConfig(string cacheMaximumLifetime, string? clientSecret = null)
    {
        static JsonObject Route(string path, params string[] scopes) => new()
        {
            ["ClusterId"] = "api",
            ["Match"] = new JsonObject { ["Path"] = path },
            ["RequiredScopes"] = new JsonArray(scopes.Select(s => (JsonNode)s).ToArray()),
        };
        var document = new JsonObject
        {
            ["Gatehouse"] = new JsonObject
            {
                ["Gateway"] = new JsonObject
                {
                    ["Introspection"] = new JsonObject
                    {
                        ["Endpoint"] = new Uri(ServerAddress, "/introspect").ToString(),
                        ["ClientId"] = "gateway",
                        ["ClientSecret"] = clientSecret ?? GatewaySecret,
                        ["Timeout"] = "00:00:02",
                    },
                    ["Cache"] = new JsonObject { ["MaximumLifetime"] = cacheMaximumLifetime },
                    ["Routes"] = new JsonObject
                    {
                        ["api"] = Route("/api/{**rest}", "appointments"),
                        ["records"] = Route("/records/{**rest}", "records"),
                    },
                    ["Clusters"] = new JsonObject
                    {
                        ["api"] = new JsonObject { ["Destinations"] = new JsonObject { ["d1"] = new JsonObject { ["Address"] = Api.Address.ToString() } } },
                    },
                },
            },
        };
        File.WriteAllText(GatewayConfigPath, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public async Task StartServerAsync()
    {
        Server = GatehouseProcess.Start("serve", "--config", ServerConfigPath, "--migrate", "--urls", ServerAddress.ToString().TrimEnd('/'));
        await Server.WaitForHttpOkAsync(new Uri(ServerAddress, "/health/ready"));
    }

    public async Task StopServerAsync()
    {
        await Server!.DisposeAsync();
        Server = null;
    }

    public async Task StartGatewayAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            GatewayPort = FreePort.Next();
            Gateway = GatehouseProcess.Start("gateway", "--config", GatewayConfigPath, "--urls", GatewayAddress.ToString().TrimEnd('/'));
            try
            {
                await Gateway.WaitForHttpOkAsync(new Uri(GatewayAddress, "/_gatehouse/health/live"));
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && Gateway.Stderr.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await Gateway.DisposeAsync();
            }
        }
    }

    public HttpClient CreateGatewayClient() => new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<string> ObtainTokenAsync(string scope, string clientId = "service")
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = ServerAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{ServiceSecret}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public async Task RevokeAsync(string token)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = ServerAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"service:{ServiceSecret}")));
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The JWT the server pairs with <paramref name="token"/> (introspection as the gateway does it).</summary>
    public async Task<string> PairedJwtAsync(string token)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = ServerAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"gateway:{GatewaySecret}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/jwt"));
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (Server is not null)
            await Server.DisposeAsync();
        await Api.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
