using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Server.Tests.Hosting;

/// <summary>Builds raw OAuth requests, so tests control every header and byte a client could get wrong.</summary>
public static class OAuthRequests
{
    public static string Basic(string clientId, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}"));

    public static HttpRequestMessage Form(string path, string? authorization, params (string Name, string Value)[] parameters)
    {
        var body = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task<string> TokenAsync(HttpClient client, string clientId, string secret, string? scope = null)
    {
        var parameters = new List<(string, string)> { ("grant_type", "client_credentials") };
        if (scope is not null)
            parameters.Add(("scope", scope));
        var response = await client.SendAsync(Form("/token", Basic(clientId, secret), parameters.ToArray()));
        var json = await JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("access_token").GetString()!;
    }

    public static Task<HttpResponseMessage> IntrospectAsync(HttpClient client, string token, string? accept = null)
    {
        var request = Form("/introspect", Basic("gateway", GatehouseTestHost.GatewaySecret), ("token", token));
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        return client.SendAsync(request);
    }
}
