using System.Net;
using System.Text.Json;

namespace Gatehouse.AspNetCore.Tests;

internal static class Expect
{
    /// <summary>401 invalid_token (RFC 6750 §3.1) for the expected reason.</summary>
    public static async Task InvalidToken(HttpResponseMessage response, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"expected 401, got {(int)response.StatusCode}: {body}");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("error=\"invalid_token\", error_description=\"", challenge.Parameter);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("invalid_token", json.RootElement.GetProperty("error").GetString());
        Assert.Equal(reason, json.RootElement.GetProperty("reason").GetString());
    }

    public static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.OK == response.StatusCode, $"expected 200, got {(int)response.StatusCode}: {body}");
        return body.StartsWith('{') ? JsonDocument.Parse(body).RootElement.Clone() : default;
    }
}
