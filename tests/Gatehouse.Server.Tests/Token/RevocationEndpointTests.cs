using System.Net;
using Gatehouse.Server.Tests.Hosting;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Token;

public class RevocationEndpointTests : IAsyncLifetime
{
    private GatehouseTestHost _host = null!;
    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await GatehouseTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> Revoke(string clientId, string secret, string token, string? hint = null)
    {
        var parameters = new List<(string, string)> { ("token", token) };
        if (hint is not null)
            parameters.Add(("token_type_hint", hint));
        return Client.SendAsync(Form("/revoke", Basic(clientId, secret), parameters.ToArray()));
    }

    private async Task<bool> IsActive(string token) => (await JsonAsync(await IntrospectAsync(Client, token))).GetProperty("active").GetBoolean();

    [Fact]
    public async Task Revoke_OwnOpaqueToken_BecomesInactive()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await Revoke("service", GatehouseTestHost.ServiceSecret, token, "access_token");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await IsActive(token));
    }

    [Fact]
    public async Task Revoke_OwnJwt_BecomesInactive()
    {
        var token = await TokenAsync(Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        Assert.True(await IsActive(token));
        Assert.Equal(HttpStatusCode.OK, (await Revoke("jwt-service", GatehouseTestHost.JwtServiceSecret, token)).StatusCode);
        Assert.False(await IsActive(token));
        // Revoking again is not an error (RFC 7009 §2.2).
        Assert.Equal(HttpStatusCode.OK, (await Revoke("jwt-service", GatehouseTestHost.JwtServiceSecret, token)).StatusCode);
    }

    [Fact]
    public async Task Revoke_OtherClientsToken_RefusedAndStillActive()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await Revoke("jwt-service", GatehouseTestHost.JwtServiceSecret, token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unauthorized_client", (await JsonAsync(response)).GetProperty("error").GetString());
        Assert.True(await IsActive(token));
    }

    [Theory]
    [InlineData("unknown-token")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Revoke_UnknownToken_200(string token) =>
        Assert.Equal(HttpStatusCode.OK, (await Revoke("service", GatehouseTestHost.ServiceSecret, token, "refresh_token")).StatusCode);

    [Fact]
    public async Task Revoke_WrongSecret_InvalidClient()
    {
        var token = await TokenAsync(Client, "service", GatehouseTestHost.ServiceSecret);
        var response = await Revoke("service", "wrong-0123456789abcdefghijklmnopqrstuvwxyz", token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(await IsActive(token));
    }

    [Fact]
    public async Task Revoke_MissingToken_InvalidRequest()
    {
        var response = await Client.SendAsync(Form("/revoke", Basic("service", GatehouseTestHost.ServiceSecret)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await JsonAsync(response)).GetProperty("error").GetString());
    }
}
