using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Testing;

public sealed class MockAuthorizationServerOptions
{
    /// <summary>The <c>iss</c> of minted tokens; defaults to the server's own base URL (http://127.0.0.1:port).</summary>
    public string? Issuer { get; set; }

    /// <summary>The default <c>aud</c> of minted tokens.</summary>
    public string Audience { get; set; } = "api";

    /// <summary>Algorithm of the generated signing key: ES256 (default), RS256 or PS256.</summary>
    public string Algorithm { get; set; } = "ES256";

    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Sign with this key instead of a generated one (e.g. one loaded with <see cref="SigningKeyFile"/>).</summary>
    public MockSigningKey? SigningKey { get; set; }

    /// <summary>Loopback port to listen on; 0 (default) picks a free one.</summary>
    public int Port { get; set; }
}

/// <summary>
/// A stand-in authorization server for API tests: generates a signing key, serves the real JWKS over HTTP on a
/// loopback port (Kestrel on 127.0.0.1:0) at <c>/jwks</c> (and discovery metadata), counts JWKS requests, and mints
/// tokens with <see cref="Token"/>. Start one per test class fixture; it starts in milliseconds.
/// </summary>
public sealed class MockAuthorizationServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly MockAuthorizationServerOptions options;
    private readonly object sync = new();
    private List<MockSigningKey> published;
    private int jwksRequests;

    private MockAuthorizationServer(WebApplication app, MockAuthorizationServerOptions options, Uri baseAddress)
    {
        this.app = app;
        this.options = options;
        BaseAddress = baseAddress;
        SigningKey = options.SigningKey ?? MockSigningKey.Create(options.Algorithm);
        published = [SigningKey];
        Issuer = options.Issuer ?? baseAddress.ToString().TrimEnd('/');
    }

    public Uri BaseAddress { get; }

    public string Issuer { get; }

    public string Audience => options.Audience;

    public string JwksUri => new Uri(BaseAddress, "jwks").ToString();

    /// <summary>The key minted tokens are signed with.</summary>
    public MockSigningKey SigningKey { get; private set; }

    /// <summary>Keys currently in the JWKS.</summary>
    public IReadOnlyList<MockSigningKey> PublishedKeys
    {
        get
        {
            lock (sync)
                return published.ToArray();
        }
    }

    /// <summary>How many times <c>/jwks</c> was requested: the way to test caching and refresh rate limits.</summary>
    public int JwksRequestCount => Volatile.Read(ref jwksRequests);

    public static async Task<MockAuthorizationServer> StartAsync(MockAuthorizationServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MockAuthorizationServerOptions();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        MockAuthorizationServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new MockAuthorizationServer(app, options, new Uri(address.TrimEnd('/') + "/"));
        return server;
    }

    /// <summary>A token builder preset with this server's issuer, audience and signing key.</summary>
    public TokenBuilder Token() => new(Issuer, Audience, SigningKey, options.TimeProvider);

    /// <summary>Publishes a new key and signs with it from now on; the old key stays published (as after a rotation).</summary>
    public MockSigningKey RotateSigningKey()
    {
        var next = MockSigningKey.Create(options.Algorithm);
        lock (sync)
        {
            published = [.. published, next];
            SigningKey = next;
        }
        return next;
    }

    /// <summary>Removes a key from the JWKS (tokens it signed stop validating once the API refreshes).</summary>
    public void Unpublish(MockSigningKey key)
    {
        lock (sync)
            published = published.Where(k => k.Kid != key.Kid).ToList();
    }

    /// <summary>A key that this server never publishes: tokens signed with it must be rejected.</summary>
    public static MockSigningKey CreateUnpublishedKey(string algorithm = "ES256") => MockSigningKey.Create(algorithm);

    public void ResetJwksRequestCount() => Interlocked.Exchange(ref jwksRequests, 0);

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        context.Response.ContentType = "application/json";
        if (path == "/jwks")
        {
            Interlocked.Increment(ref jwksRequests);
            context.Response.ContentType = "application/jwk-set+json";
            await context.Response.WriteAsync(MockSigningKey.JwksJson(PublishedKeys));
        }
        else if (path is "/.well-known/openid-configuration" or "/.well-known/oauth-authorization-server")
        {
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = JwksUri,
                ["id_token_signing_alg_values_supported"] = new[] { SigningKey.Algorithm },
            }));
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
