using Gatehouse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.AspNetCore.Tests;

public sealed class OptionsTests
{
    private static async Task<string> StartupError(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddGatehouseApi(builder.Configuration.GetSection(GatehouseApiOptions.SectionName));
        await using var app = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        return e.Message;
    }

    [Fact]
    public async Task MissingAudience_StopsStartup_NamingTheKey() =>
        Assert.Contains("GatehouseApi:Audience is missing", await StartupError(new() { ["GatehouseApi:Authority"] = "https://login.example" }));

    [Fact]
    public async Task MissingAuthority_StopsStartup_NamingTheKey() =>
        Assert.Contains("GatehouseApi:Authority is missing", await StartupError(new() { ["GatehouseApi:Audience"] = "api" }));

    [Fact]
    public async Task PlainHttpJwksOffLoopback_StopsStartup() =>
        Assert.Contains("is not https", await StartupError(new() { ["GatehouseApi:Authority"] = "http://login.example", ["GatehouseApi:Audience"] = "api" }));

    [Fact]
    public async Task HmacAlgorithm_StopsStartup() =>
        Assert.Contains("'HS256'", await StartupError(new()
        {
            ["GatehouseApi:Authority"] = "https://login.example", ["GatehouseApi:Audience"] = "api", ["GatehouseApi:Algorithms:0"] = "HS256",
        }));

    [Fact]
    public async Task Options_BindFromConfiguration_AndDefaultFromAuthority()
    {
        await using var mock = await MockAuthorizationServer.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GatehouseApi:Authority"] = mock.Issuer, ["GatehouseApi:Audience"] = mock.Audience, ["GatehouseApi:ClockSkew"] = "00:00:05",
        });
        builder.Services.AddGatehouseApi(builder.Configuration.GetSection(GatehouseApiOptions.SectionName));
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        var options = app.Services.GetRequiredService<IOptions<GatehouseApiOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), options.ClockSkew);
        Assert.Equal(mock.JwksUri, options.EffectiveJwksUri);
        using var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", mock.Token().Expired(TimeSpan.FromSeconds(10)).Build());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.GetAsync("/")).StatusCode);   // 10 s late > 5 s skew
        client.DefaultRequestHeaders.Authorization = new("Bearer", mock.Token().Build());
        Assert.Equal("ok", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task AlgorithmAllowList_RejectsAlgorithmsNotListed()
    {
        await using var mock = await MockAuthorizationServer.StartAsync();
        await using (var esOnly = await ApiHost.StartAsync(mock, o => o.Algorithms = ["ES256"]))
            Assert.Equal(System.Net.HttpStatusCode.OK, (await esOnly.GetAsync("/default", mock.Token().Build())).StatusCode);
        await using var rsOnly = await ApiHost.StartAsync(mock, o => o.Algorithms = ["RS256"]);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await rsOnly.GetAsync("/default", mock.Token().Build())).StatusCode);
    }
}
