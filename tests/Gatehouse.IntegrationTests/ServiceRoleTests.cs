using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.IntegrationTests.Infrastructure;

namespace Gatehouse.IntegrationTests;

/// <summary>
/// One configuration and one SQLite store (migrated once with <c>gatehouse migrate</c>), served by two processes
/// at the same time: A with <c>--roles token</c>, B with <c>--roles admin</c>.
/// </summary>
public sealed class ServiceRolesFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public TestConfiguration Config { get; private set; } = null!;
    public CommandResult Migration { get; private set; } = null!;
    public GatehouseServer TokenProcess { get; private set; } = null!;
    public GatehouseServer AdminProcess { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Config = TestConfiguration.Create(_directory.Path, FreePort.Next());
        Config.Save();
        Migration = await GatehouseProcess.RunAsync(["migrate", "--config", Config.Path]);
        Assert.True(Migration.ExitCode == 0, Migration.Description);

        // A first: it creates the first signing key; B then loads it from the shared store.
        TokenProcess = await GatehouseServer.StartAsync(port =>
            new(["serve", "--config", Config.MoveTo(port), "--roles", "token", "--urls", Config.Issuer]));
        AdminProcess = await GatehouseServer.StartAsync(port =>
            new(["serve", "--config", Config.Path, "--roles", "admin", "--urls", $"http://127.0.0.1:{port}"]));
    }

    public async Task DisposeAsync()
    {
        if (AdminProcess is not null)
            await AdminProcess.DisposeAsync();
        if (TokenProcess is not null)
            await TokenProcess.DisposeAsync();
        _directory.Dispose();
    }
}

public class ServiceRoleTests(ServiceRolesFixture f) : IClassFixture<ServiceRolesFixture>
{
    [Fact]
    public void Migrate_FreshStore_ReportsAppliedMigration()
    {
        Assert.Contains("Applied 2 migration(s)", f.Migration.Stdout);
    }

    [Fact]
    public void Serve_EachProcess_SaysWhichRolesItServes()
    {
        Assert.Contains("serving roles [token]", f.TokenProcess.Process.Stdout);
        Assert.Contains("serving roles [admin]", f.AdminProcess.Process.Stdout);
        Assert.DoesNotContain("/admin/keys", f.TokenProcess.Process.Stdout);
        Assert.DoesNotContain("/token", f.AdminProcess.Process.Stdout);
    }

    [Fact]
    public async Task Serve_TokenRoleOnly_IssuesTokensAndPublishesMetadata()
    {
        using var a = f.TokenProcess.CreateClient();

        await Tokens.ObtainAsync(a, "service", f.Config.SecretOf("service"));
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/jwks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Serve_TokenRoleOnly_AdminPathsAre404()
    {
        using var a = f.TokenProcess.CreateClient();
        var admin = await Tokens.ObtainAsync(a, "admin", f.Config.SecretOf("admin"));

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(a, HttpMethod.Get, "/admin/keys", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(a, HttpMethod.Post, "/admin/keys/rotate", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync("/admin/keys")).StatusCode);
    }

    [Fact]
    public async Task Serve_AdminRoleOnly_TokenIntrospectionRevocationAndJwksAre404()
    {
        using var b = f.AdminProcess.CreateClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "service",
            ["client_secret"] = f.Config.SecretOf("service"),
        });

        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync("/token", form)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync("/introspect", form)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync("/revoke", form)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync("/jwks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync("/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Serve_AdminRole_WithoutToken_Is401WithBearerChallenge()
    {
        using var b = f.AdminProcess.CreateClient();

        using var response = await b.GetAsync("/admin/keys");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("realm=", challenge.Parameter);
        Assert.DoesNotContain("error=", challenge.Parameter);
    }

    [Fact]
    public async Task Serve_AdminRole_UnknownToken_Is401InvalidToken()
    {
        using var b = f.AdminProcess.CreateClient();

        using var response = await SendAsync(b, HttpMethod.Get, "/admin/keys", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Theory]
    [InlineData("admin")]      // opaque: B finds it in the shared store
    [InlineData("admin-jwt")]  // JWT: B verifies it with the signing key A created in the shared store
    public async Task Serve_AdminRole_TokenWithAdminScopeFromTokenProcess_ListsKeys(string clientId)
    {
        using var a = f.TokenProcess.CreateClient();
        using var b = f.AdminProcess.CreateClient();
        var token = await Tokens.ObtainAsync(a, clientId, f.Config.SecretOf(clientId));

        using var response = await SendAsync(b, HttpMethod.Get, "/admin/keys", token);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var keys = json.RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        Assert.Contains(keys, k => k.GetProperty("state").GetString() == "active");
        Assert.All(keys, k => Assert.Equal("ES256", k.GetProperty("alg").GetString()));
        // Every listed key is the one A publishes.
        var published = await a.GetStringAsync("/jwks");
        Assert.All(keys, k => Assert.Contains(k.GetProperty("kid").GetString()!, published));
    }

    [Fact]
    public async Task Serve_AdminRole_TokenWithoutAdminScope_Is403InsufficientScope()
    {
        using var a = f.TokenProcess.CreateClient();
        using var b = f.AdminProcess.CreateClient();
        var token = await Tokens.ObtainAsync(a, "service", f.Config.SecretOf("service"));

        using var response = await SendAsync(b, HttpMethod.Get, "/admin/keys", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter);
        Assert.Contains("scope=\"gatehouse.admin\"", challenge.Parameter);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("insufficient_scope", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Serve_AdminRole_RevokedAdminToken_Is401()
    {
        using var a = f.TokenProcess.CreateClient();
        using var b = f.AdminProcess.CreateClient();
        var token = await Tokens.ObtainAsync(a, "admin", f.Config.SecretOf("admin"));
        using var revoke = await a.PostAsync("/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "admin",
            ["client_secret"] = f.Config.SecretOf("admin"),
            ["token"] = token,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        using var response = await SendAsync(b, HttpMethod.Get, "/admin/keys", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string bearer)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http.SendAsync(request);
    }
}
