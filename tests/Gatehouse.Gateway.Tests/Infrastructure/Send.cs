using System.Net.Http.Headers;
using System.Text.Json;

namespace Gatehouse.Gateway.Tests.Infrastructure;

public static class Send
{
    public static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string? authorization = null, Action<HttpRequestMessage>? change = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        change?.Invoke(request);
        return await http.SendAsync(request);
    }

    public static string NewToken() => Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray())
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Asserts the RFC 6750 refusal: status, WWW-Authenticate, JSON body with the error code.</summary>
    public static async Task AssertRefusedAsync(HttpResponseMessage response, int status, string? error, string? scope = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("X-Echo"), "the request reached the API");
        using var json = JsonDocument.Parse(body);
        if (error is null)
            Assert.False(json.RootElement.TryGetProperty("error", out _), body);
        else
            Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        if (status is 401 or 403)
        {
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            var parameter = challenge.Parameter ?? "";
            Assert.StartsWith("realm=\"gatehouse\"", parameter);
            if (error is null)
                Assert.DoesNotContain("error=", parameter);
            else
                Assert.Contains($"error=\"{error}\"", parameter);
            if (scope is not null)
                Assert.Contains($"scope=\"{scope}\"", parameter);
        }
        else
        {
            Assert.Empty(response.Headers.WwwAuthenticate);
        }
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
