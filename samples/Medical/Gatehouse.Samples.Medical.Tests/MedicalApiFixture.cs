using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.AspNetCore;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>
/// One mock authorization server (real Kestrel on 127.0.0.1, real JWKS over HTTP) and one Medical API host
/// (in-memory TestServer) per test class. The API's own key-fetching code fetches the mock's JWKS.
/// </summary>
public sealed class MedicalApiFixture : IAsyncLifetime
{
    public const string Audience = "medical-api";
    public const string PortalApp = "medical-portal";
    public const string AppointmentsApp = "appointments-app";

    private WebApplicationFactory<Program> factory = null!;

    public MockAuthorizationServer Mock { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Mock = await MockAuthorizationServer.StartAsync(new MockAuthorizationServerOptions { Audience = Audience });
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.PostConfigure<GatehouseApiOptions>(o =>
            {
                o.Authority = Mock.Issuer;
                o.Audience = Audience;
            })));
        Client = factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
        await Mock.DisposeAsync();
    }

    /// <summary>A doctor's token from the medical portal (scopes appointments and records) unless changed.</summary>
    public TokenBuilder Doctor(string id, string department, params string[] hospitals) =>
        Mock.Token().Subject(id).ClientId(PortalApp).Role("doctor").Claim("department", department).Claim("hospitals", hospitals);

    /// <summary>dr-alice: cardiology at St Mary's and City General, through the portal (appointments + records).</summary>
    public TokenBuilder Alice() => Doctor("dr-alice", "cardiology", "st-mary", "city-general").Scope("appointments", "records");

    /// <summary>dr-bob: cardiology at St Mary's only.</summary>
    public TokenBuilder Bob() => Doctor("dr-bob", "cardiology", "st-mary").Scope("appointments", "records");

    /// <summary>dr-carol: oncology at St Mary's.</summary>
    public TokenBuilder Carol() => Doctor("dr-carol", "oncology", "st-mary").Scope("appointments", "records");

    public Task<HttpResponseMessage> Send(HttpMethod method, string path, TokenBuilder? token, object? body = null) =>
        Send(method, path, token?.Build(), body);

    public Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> Get(string path, TokenBuilder? token) => Send(HttpMethod.Get, path, token);
}

internal static class Response
{
    public static async Task<JsonElement> Status(this Task<HttpResponseMessage> pending, HttpStatusCode expected)
    {
        using var response = await pending;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length > 0 && body[0] is '{' or '[' ? JsonDocument.Parse(body).RootElement.Clone() : default;
    }

    public static string[] Ids(this JsonElement array) => array.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToArray();
}
