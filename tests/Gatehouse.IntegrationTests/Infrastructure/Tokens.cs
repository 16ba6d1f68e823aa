using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>Plain HTTP calls to the token endpoint, for tests whose subject is not the client library.</summary>
public static class Tokens
{
    public static async Task<HttpResponseMessage> PostTokenRequestAsync(HttpClient http, string clientId, string secret, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
            form["scope"] = scope;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        return await http.SendAsync(request);
    }

    /// <summary>Obtains an access token with client_credentials (client_secret_basic); fails the test on any error.</summary>
    public static async Task<string> ObtainAsync(HttpClient http, string clientId, string secret, string? scope = null)
    {
        using var response = await PostTokenRequestAsync(http, clientId, secret, scope);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /token for {clientId}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    public static string KidOf(string jwt) => new JsonWebToken(jwt).Kid;
}
