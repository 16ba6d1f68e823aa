using System.Net.Http.Headers;
using Gatehouse.AspNetCore.Authorization;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.AspNetCore.Tests;

/// <summary>
/// A small API protected by AddGatehouseApi, in memory (TestServer); it fetches the JWKS from the mock over real HTTP.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private ApiHost(WebApplication app)
    {
        this.app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<ApiHost> StartAsync(MockAuthorizationServer mock, Action<GatehouseApiOptions>? configure = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (time is not null)
            builder.Services.AddSingleton(time);
        builder.Services.AddGatehouseApi(o =>
        {
            o.Authority = mock.Issuer;
            o.Audience = mock.Audience;
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/public", () => "hello").AllowAnonymous();
        app.MapGet("/default", () => "needs a token only");
        app.MapGet("/me", (GatehousePrincipal caller) => Results.Json(new
        {
            subject = caller.Subject,
            clientId = caller.ClientId,
            scopes = caller.Scopes.Order().ToArray(),
            roles = caller.Roles.Order().ToArray(),
            department = caller.Claim("department"),
            hospitals = caller.ClaimValues("hospitals"),
        }));
        app.MapGet("/records", () => "records").RequireScope("records");
        app.MapGet("/both", () => "both").RequireScope("read", "write");
        app.MapGet("/admin", () => "admin").RequireAuthorization(p => p.RequireRole("admin"));
        app.MapGet("/forbid", () => Results.Forbid());
        await app.StartAsync();
        return new ApiHost(app);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>One mock authorization server and one API host shared by a test class.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public MockAuthorizationServer Mock { get; private set; } = null!;
    public ApiHost Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Mock = await MockAuthorizationServer.StartAsync(new MockAuthorizationServerOptions { Audience = "test-api" });
        Api = await ApiHost.StartAsync(Mock);
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Mock.DisposeAsync();
    }
}
