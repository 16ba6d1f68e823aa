using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Gateway.Tests.Infrastructure;

/// <summary>How the stub answers for one token.</summary>
public sealed record StubAnswer(int Status, string? Jwt = null, int? MaxAge = null, TimeSpan Delay = default);

/// <summary>
/// An introspection endpoint that answers per token as the test says (204 for unknown tokens), counts calls and checks
/// the gateway's credentials and Accept header.
/// </summary>
public sealed class StubIntrospection : IAsyncDisposable
{
    public const string ClientId = "gw";
    public const string ClientSecret = "gw-secret";
    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("a-test-key-of-at-least-256-bits-length!!"));

    private readonly ConcurrentDictionary<string, StubAnswer> _answers = new();
    private LoopbackApp _app = null!;
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);
    public Uri Endpoint => new(_app.Address, "/introspect");
    /// <summary>Overrides every answer (e.g. 503) when set.</summary>
    public StubAnswer? Override { get; set; }
    public string? LastAccept { get; private set; }

    public static async Task<StubIntrospection> StartAsync()
    {
        var stub = new StubIntrospection();
        stub._app = await LoopbackApp.StartAsync(app => app.MapPost("/introspect", stub.HandleAsync));
        return stub;
    }

    public void Answer(string token, StubAnswer answer) => _answers[token] = answer;

    /// <summary>Registers an active token whose JWT has the given scopes and lifetime; returns the JWT.</summary>
    public string Activate(string token, string scope = "appointments", TimeSpan? lifetime = null, int? maxAge = null, int padding = 0)
    {
        var jwt = MintJwt(scope, lifetime ?? TimeSpan.FromMinutes(5), padding);
        Answer(token, new StubAnswer(200, jwt, maxAge));
        return jwt;
    }

    public static string MintJwt(string scope, TimeSpan lifetime, int padding = 0)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["scope"] = scope, ["client_id"] = "service" };
        if (padding > 0)
            claims["padding"] = new string('p', padding);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", "service")]),
            Claims = claims,
            IssuedAt = (now + lifetime).AddMinutes(-10),
            NotBefore = (now + lifetime).AddMinutes(-10),
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        LastAccept = context.Request.Headers.Accept.ToString();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            context.Response.StatusCode = 401;
            return;
        }
        var form = await context.Request.ReadFormAsync();
        var token = form["token"].ToString();
        var answer = Override ?? (_answers.TryGetValue(token, out var a) ? a : new StubAnswer(204));
        if (answer.Delay > TimeSpan.Zero)
            await Task.Delay(answer.Delay);
        context.Response.StatusCode = answer.Status;
        if (answer.Status == 200 && answer.Jwt is not null)
        {
            context.Response.ContentType = "application/jwt";
            if (answer.MaxAge is { } maxAge)
                context.Response.Headers.CacheControl = $"max-age={maxAge}";
            await context.Response.WriteAsync(answer.Jwt);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
