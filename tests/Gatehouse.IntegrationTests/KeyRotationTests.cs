using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.IntegrationTests;

/// <summary>
/// JWT access tokens verified with Microsoft.IdentityModel against the published JWKS while keys rotate through the
/// CLI (<c>gatehouse keys rotate</c>, a separate process on the same store), with CheckInterval 1 s, JwksMaxAge 1 s
/// and PublishAhead 20 s.
/// </summary>
public partial class KeyRotationTests
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Keys_ScheduledThenImmediateRotation_EveryTokenValidatesAgainstCurrentJwks()
    {
        using var directory = new TempDirectory();
        TestConfiguration config = null!;
        await using var server = await GatehouseServer.StartAsync(port =>
        {
            config ??= TestConfiguration.Create(directory.Path, port, fastKeyRotation: true);
            return new(["serve", "--config", config.MoveTo(port), "--migrate", "--urls", config.Issuer]);
        });
        using var http = server.CreateClient();
        var secret = config.SecretOf("jwt-service");

        // 1. A JWT signed with the first key validates against GET /jwks.
        var t1 = await Tokens.ObtainAsync(http, "jwt-service", secret);
        var k1 = Tokens.KidOf(t1);
        var jwks1 = await GetJwksAsync(http);
        Assert.Equal([k1], jwks1.Keys.Select(k => k.Kid));
        await AssertValidAsync(config, jwks1, t1);

        // 2. Scheduled rotation: the new key is published first...
        var rotate = await GatehouseProcess.RunAsync(["keys", "rotate", "--config", config.Path]);
        Assert.True(rotate.ExitCode == 0, rotate.Description);
        var (k2, k2SignsFrom) = ParseRotated(rotate);
        Assert.NotEqual(k1, k2);
        // The CLI prints the table after it rotated; on a starved machine that can already be past the switch.
        if (DateTimeOffset.UtcNow < k2SignsFrom)
            AssertStates(rotate, (k1, "active"), (k2, "published"));
        var jwks2 = await PollAsync(async () => await GetJwksAsync(http), s => s.Keys.Any(k => k.Kid == k2), "new kid in /jwks");

        // ...while new tokens are still signed with the old key.
        var t2 = await Tokens.ObtainAsync(http, "jwt-service", secret);
        var t2IssuedAt = new JsonWebToken(t2).IssuedAt;
        Assert.True(t2IssuedAt < k2SignsFrom.UtcDateTime,
            $"the new key was published only at {t2IssuedAt:O}, not before it signs ({k2SignsFrom:O}): PublishAhead was not honoured");
        Assert.Equal(k1, Tokens.KidOf(t2));
        Assert.Equal(new[] { k1, k2 }.Order(), jwks2.Keys.Select(k => k.Kid).Order());
        await AssertValidAsync(config, jwks2, t1);
        await AssertValidAsync(config, jwks2, t2);

        // 3. After PublishAhead the server signs with the new key (polled, no fixed sleep), and not before.
        var t3 = await PollAsync(() => Tokens.ObtainAsync(http, "jwt-service", secret), t => Tokens.KidOf(t) == k2, "tokens signed with the new kid");
        Assert.True(new JsonWebToken(t3).IssuedAt >= k2SignsFrom.UtcDateTime, "the new key signed before its time");

        // 4. Immediate rotation (compromised key): the next key signs at once.
        var immediate = await GatehouseProcess.RunAsync(["keys", "rotate", "--config", config.Path, "--immediately"]);
        Assert.True(immediate.ExitCode == 0, immediate.Description);
        var (k3, k3SignsFrom) = ParseRotated(immediate);
        Assert.True(k3SignsFrom <= DateTimeOffset.UtcNow, $"--immediately scheduled the key for {k3SignsFrom:O}");
        var t4 = await PollAsync(() => Tokens.ObtainAsync(http, "jwt-service", secret), t => Tokens.KidOf(t) == k3, "tokens signed with the immediately rotated kid");

        // 5. Every token, from every key, validates against the current JWKS; a JWKS from before the key existed does not.
        var jwks3 = await GetJwksAsync(http);
        Assert.Equal(new[] { k1, k2, k3 }.Order(), jwks3.Keys.Select(k => k.Kid).Order());
        foreach (var token in new[] { t1, t2, t3, t4 })
            await AssertValidAsync(config, jwks3, token);
        var stale = await ValidateAsync(config, jwks2, t4);
        Assert.False(stale.IsValid, "a token signed with a key missing from the JWKS validated");

        // 6. keys list shows the states.
        var list = await GatehouseProcess.RunAsync(["keys", "list", "--config", config.Path]);
        Assert.True(list.ExitCode == 0, list.Description);
        AssertStates(list, (k1, "retired"), (k2, "retired"), (k3, "active"));
    }

    [Fact]
    public async Task Keys_ListOnFreshStore_SaysTheFirstServerCreatesOne()
    {
        using var directory = new TempDirectory();
        var config = TestConfiguration.Create(directory.Path, FreePort.Next());
        config.Save();
        var migrate = await GatehouseProcess.RunAsync(["migrate", "--config", config.Path]);
        Assert.True(migrate.ExitCode == 0, migrate.Description);

        var list = await GatehouseProcess.RunAsync(["keys", "list", "--config", config.Path]);

        Assert.True(list.ExitCode == 0, list.Description);
        Assert.Contains("no keys yet", list.Stdout);
    }

    private static async Task<JsonWebKeySet> GetJwksAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/jwks");
        response.EnsureSuccessStatusCode();
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.CacheControl?.MaxAge);
        var json = await response.Content.ReadAsStringAsync();
        using (var document = JsonDocument.Parse(json))
        {
            foreach (var key in document.RootElement.GetProperty("keys").EnumerateArray())
                Assert.False(key.TryGetProperty("d", out _), "the JWKS exposes a private key");
        }
        return new JsonWebKeySet(json);
    }

    private static Task<TokenValidationResult> ValidateAsync(TestConfiguration config, JsonWebKeySet jwks, string token) =>
        new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = config.Issuer,
            ValidAudience = TestConfiguration.ApiAudience,
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = ["ES256"],
            IssuerSigningKeys = jwks.GetSigningKeys(),
            RequireSignedTokens = true,
            RequireExpirationTime = true,
        });

    private static async Task AssertValidAsync(TestConfiguration config, JsonWebKeySet jwks, string token)
    {
        var result = await ValidateAsync(config, jwks, token);
        Assert.True(result.IsValid, $"token with kid {Tokens.KidOf(token)} did not validate against kids [{string.Join(", ", jwks.Keys.Select(k => k.Kid))}]: {result.Exception?.Message}");
        Assert.Equal("jwt-service", result.Claims["client_id"]);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + PollTimeout;
        while (true)
        {
            var value = await read();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {PollTimeout} waiting for {what}.");
            await Task.Delay(200);
        }
    }

    /// <summary>"Key {kid} signs from 2026-01-01 12:00:00Z. ..."</summary>
    private static (string Kid, DateTimeOffset SignsFrom) ParseRotated(CommandResult rotate)
    {
        var match = RotatedLine().Match(rotate.Stdout);
        Assert.True(match.Success, rotate.Description);
        return (match.Groups[1].Value, DateTimeOffset.ParseExact(match.Groups[2].Value, "u", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    private static void AssertStates(CommandResult result, params (string Kid, string State)[] expected)
    {
        var states = StatesOf(result);
        foreach (var (kid, state) in expected)
            Assert.True(states.GetValueOrDefault(kid) == state, $"expected {kid} to be {state}: {result.Description}");
    }

    /// <summary>The table printed by keys list/rotate: KID ALG STATE ...</summary>
    private static Dictionary<string, string> StatesOf(CommandResult result) =>
        result.Stdout.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(c => c.Length >= 3 && c[1] is "ES256" or "RS256" or "PS256")
            .ToDictionary(c => c[0], c => c[2]);

    [GeneratedRegex(@"Key (\S+) signs from (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z)\.")]
    private static partial Regex RotatedLine();
}
