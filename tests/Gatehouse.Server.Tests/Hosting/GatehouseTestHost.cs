using System.Security.Cryptography;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Server.Tests.Hosting;

/// <summary>
/// A Gatehouse server on the in-memory test server, with its own SQLite file (or the given store), a fake clock
/// and a small configuration that each test can amend key by key.
/// </summary>
public sealed class GatehouseTestHost : IAsyncDisposable
{
    public const string Issuer = "https://login.test";
    public const string ServiceSecret = "service-secret-0123456789abcdefghijklmnop";
    public const string JwtServiceSecret = "jwt-service-secret-0123456789abcdefghijkl";
    public const string GatewaySecret = "gateway-secret-0123456789abcdefghijklmnop";
    public const string AdminSecret = "admin-secret-0123456789abcdefghijklmnopqr";

    private readonly string _directory;

    public WebApplication App { get; }
    public FakeTimeProvider Time { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => App.Services;

    private GatehouseTestHost(WebApplication app, FakeTimeProvider time, string directory)
    {
        App = app;
        Time = time;
        _directory = directory;
        Client = app.GetTestClient();
    }

    /// <summary>The settings every test host starts from (as configuration keys).</summary>
    public static Dictionary<string, string?> DefaultSettings(string directory) => new()
    {
        ["Gatehouse:Issuer"] = Issuer,
        ["Gatehouse:Roles"] = "all",
        ["Gatehouse:Storage:Provider"] = "sqlite",
        ["Gatehouse:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "gatehouse.db")}",
        ["Gatehouse:Keys:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Gatehouse:Scopes:appointments:Claims:0"] = "hospital",
        ["Gatehouse:Scopes:appointments:Claims:1"] = "department",
        ["Gatehouse:Scopes:records:Claims:0"] = "department",
        ["Gatehouse:Scopes:gatehouse.admin:Description"] = "Manage Gatehouse",
        ["Gatehouse:Clients:service:Secret"] = ServiceSecret,
        ["Gatehouse:Clients:service:GrantTypes:0"] = "client_credentials",
        ["Gatehouse:Clients:service:Scopes:0"] = "appointments",
        ["Gatehouse:Clients:service:Scopes:1"] = "records",
        ["Gatehouse:Clients:service:Audience"] = "https://api.test",
        ["Gatehouse:Clients:service:Claims:hospital"] = "st-mary",
        ["Gatehouse:Clients:service:Claims:department"] = "cardiology",
        ["Gatehouse:Clients:jwt-service:Secret"] = JwtServiceSecret,
        ["Gatehouse:Clients:jwt-service:GrantTypes:0"] = "client_credentials",
        ["Gatehouse:Clients:jwt-service:Scopes:0"] = "appointments",
        ["Gatehouse:Clients:jwt-service:AccessTokenFormat"] = "jwt",
        ["Gatehouse:Clients:jwt-service:Audience"] = "https://api.test",
        ["Gatehouse:Clients:gateway:Secret"] = GatewaySecret,
        ["Gatehouse:Clients:gateway:Introspection"] = "true",
        ["Gatehouse:Clients:admin:Secret"] = AdminSecret,
        ["Gatehouse:Clients:admin:GrantTypes:0"] = "client_credentials",
        ["Gatehouse:Clients:admin:Scopes:0"] = "gatehouse.admin",
        ["Gatehouse:Clients:admin:Audience"] = "urn:gatehouse:admin",
    };

    /// <summary>Starts a host; <paramref name="amend"/> may change or remove (null value) default settings.</summary>
    public static async Task<GatehouseTestHost> StartAsync(Action<Dictionary<string, string?>>? amend = null)
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-test-").FullName;
        var settings = DefaultSettings(directory);
        amend?.Invoke(settings);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = directory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        var app = GatehouseApplication.Build(builder);
        await GatehouseStorage.MigrateAsync(app.Services, CancellationToken.None);
        await app.StartAsync();
        return new GatehouseTestHost(app, time, directory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
