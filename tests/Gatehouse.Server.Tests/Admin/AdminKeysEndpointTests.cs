using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Admin;

public class AdminKeysEndpointTests
{
    private static HttpRequestMessage Bearer(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task ListKeys_WithoutToken_401ChallengeWithoutErrorCode()
    {
        await using var host = await GatehouseTestHost.StartAsync();
        var response = await host.Client.GetAsync("/admin/keys");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"gatehouse\"", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task ListKeys_InvalidToken_401InvalidToken()
    {
        await using var host = await GatehouseTestHost.StartAsync();
        var response = await host.Client.SendAsync(Bearer(HttpMethod.Get, "/admin/keys", "bogus"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task ListKeys_TokenWithoutAdminScope_403InsufficientScope()
    {
        await using var host = await GatehouseTestHost.StartAsync();
        var token = await TokenAsync(host.Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await host.Client.SendAsync(Bearer(HttpMethod.Get, "/admin/keys", token));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\", scope=\"gatehouse.admin\"", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task RotateThenList_ShowsPublishedKeyBesideActiveOne()
    {
        await using var host = await GatehouseTestHost.StartAsync();
        var token = await TokenAsync(host.Client, "admin", GatehouseTestHost.AdminSecret);
        var rotated = await host.Client.SendAsync(Bearer(HttpMethod.Post, "/admin/keys/rotate", token));
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal("published", (await JsonAsync(rotated)).GetProperty("key").GetProperty("state").GetString());
        var keys = (await JsonAsync(await host.Client.SendAsync(Bearer(HttpMethod.Get, "/admin/keys", token)))).GetProperty("keys");
        Assert.Equal(["active", "published"], keys.EnumerateArray().Select(k => k.GetProperty("state").GetString()!).ToArray());
    }
}
