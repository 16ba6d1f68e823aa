using System.Diagnostics;
using System.Net;
using Gatehouse.Gateway.Caching;
using Gatehouse.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Tests;

/// <summary>
/// The shared Redis second level, against a real redis-server: two gateways share JWTs through it, its keys are hashes,
/// its expirations never exceed the local rule, entries from it are rechecked on every hit, and the gateway keeps working
/// when it goes away.
/// </summary>
public sealed class RedisCacheTests
{
    private static Task<InProcessGateway> StartAsync(RedisServer redis, StubIntrospection? stub = null, string maximumLifetime = "00:00:30",
        CapturedLogs? logs = null, string? prefix = "test:") =>
        InProcessGateway.StartAsync(maximumLifetime, s =>
        {
            s["Gatehouse:Gateway:Cache:Redis"] = redis.ConnectionString;
            if (prefix is not null)
                s["Gatehouse:Gateway:Cache:RedisKeyPrefix"] = prefix;
        }, stub: stub, logs: logs);

    private static async Task AssertOkAsync(HttpClient http, string token, string? jwt = null)
    {
        using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (jwt is not null)
            Assert.Equal("Bearer " + jwt, (await EchoApi.ReadAsync(response)).Authorization);
    }

    [Fact]
    public async Task TokenIntrospectedByOneGateway_IsServedByAnother_WithoutIntrospection()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stub = await StubIntrospection.StartAsync();
        await using var a = await StartAsync(redis, stub);
        await using var b = await StartAsync(redis, stub);
        using var httpA = a.CreateClient();
        using var httpB = b.CreateClient();
        var token = Send.NewToken();
        var jwt = stub.Activate(token);

        await AssertOkAsync(httpA, token, jwt);
        Assert.Equal(1, stub.Calls);
        await redis.WaitForKeyAsync("test:" + PhantomTokenCache.KeyOf(token));
        for (var i = 0; i < 3; i++)
            await AssertOkAsync(httpB, token, jwt);
        Assert.Equal(1, stub.Calls);

        // An inactive token is not shared (nothing but active tokens is cached): each gateway asks.
        var unknown = Send.NewToken();
        using (var refusedA = await Send.GetAsync(httpA, "/api/x", "Bearer " + unknown))
            await Send.AssertRefusedAsync(refusedA, 401, "invalid_token");
        using (var refusedB = await Send.GetAsync(httpB, "/api/x", "Bearer " + unknown))
            await Send.AssertRefusedAsync(refusedB, 401, "invalid_token");
        Assert.Equal(3, stub.Calls);
        Assert.Equal(0, a.Gateway.App.Services.GetRequiredService<RedisSecondLevel>().PendingDeadlines);
    }

    [Fact]
    public async Task RedisKeysAndValues_HoldTheHash_NeverTheToken()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var g = await StartAsync(redis);
        using var http = g.CreateClient();
        var tokens = Enumerable.Range(0, 3).Select(_ => Send.NewToken()).ToArray();
        foreach (var token in tokens)
        {
            g.Stub.Activate(token);
            await AssertOkAsync(http, token);
            await redis.WaitForKeyAsync("test:" + PhantomTokenCache.KeyOf(token));
        }

        var dump = await redis.DumpAsync();
        Assert.Equal(tokens.Length, dump.Count);
        foreach (var token in tokens)
        {
            Assert.Contains("test:" + PhantomTokenCache.KeyOf(token), dump.Keys);
            foreach (var (key, value) in dump)
            {
                Assert.DoesNotContain(token, key, StringComparison.Ordinal);
                Assert.DoesNotContain(token, value, StringComparison.Ordinal);
            }
        }
        Assert.All(dump.Keys, k => Assert.StartsWith("test:gatehouse:gateway:jwt:", k, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("max-age", 4)]      // introspection max-age 4 s < maximum 30 s
    [InlineData("exp", 3)]          // JWT exp in 3 s < maximum 30 s
    [InlineData("maximum", 5)]      // configured maximum 5 s < JWT exp (1 h) and no max-age
    public async Task RedisExpiration_IsAtMostTheLocalRule(string limit, int seconds)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var g = await StartAsync(redis, maximumLifetime: limit == "maximum" ? $"00:00:{seconds:00}" : "00:00:30");
        using var http = g.CreateClient();
        var token = Send.NewToken();
        var before = DateTimeOffset.UtcNow;
        g.Stub.Activate(token, lifetime: TimeSpan.FromSeconds(limit == "exp" ? seconds : 3600), maxAge: limit == "max-age" ? seconds : null);
        await AssertOkAsync(http, token);
        await redis.WaitForKeyAsync("test:" + PhantomTokenCache.KeyOf(token));

        var ttl = await redis.Database.KeyTimeToLiveAsync("test:" + PhantomTokenCache.KeyOf(token));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(seconds));
        // The deadline stored with the value is the same rule.
        var entry = await g.Gateway.App.Services.GetRequiredService<PhantomTokenCache>().GetAsync(token, CancellationToken.None);
        Assert.InRange(entry.ValidUntilMs, before.ToUnixTimeMilliseconds(), (before + TimeSpan.FromSeconds(seconds + 1)).ToUnixTimeMilliseconds());
        Assert.Equal(1, g.Stub.Calls);
    }

    [Fact]
    public async Task EntryFromRedis_PastItsDeadline_IsNotServed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stub = await StubIntrospection.StartAsync();
        await using var a = await StartAsync(redis, stub);
        await using var b = await StartAsync(redis, stub);
        using var httpB = b.CreateClient();
        var token = Send.NewToken();
        var jwt = StubIntrospection.MintJwt("appointments", TimeSpan.FromHours(1));
        // Replica A holds an entry whose deadline has passed but whose Redis entry has not expired
        // (e.g. written by a replica with a skewed clock); the stub answers 204 (revoked).
        var stale = new CachedJwt(jwt, DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds(), ["appointments"]);
        await a.Gateway.App.Services.GetRequiredService<HybridCache>().SetAsync(PhantomTokenCache.KeyOf(token), stale);
        Assert.True(await redis.Database.KeyExistsAsync("test:" + PhantomTokenCache.KeyOf(token)));

        using var response = await Send.GetAsync(httpB, "/api/x", "Bearer " + token);
        await Send.AssertRefusedAsync(response, 401, "invalid_token");
        Assert.Equal(1, stub.Calls);
        Assert.False(await redis.Database.KeyExistsAsync("test:" + PhantomTokenCache.KeyOf(token)));
    }

    [Fact]
    public async Task RevokedToken_StopsWorkingOnEveryReplica_WithinTheMaximumLifetime()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stub = await StubIntrospection.StartAsync();
        // Redis expirations are whole seconds, rounded down: 3 s keeps the entry in Redis when B reads it at 1 s.
        await using var a = await StartAsync(redis, stub, maximumLifetime: "00:00:03");
        await using var b = await StartAsync(redis, stub, maximumLifetime: "00:00:03");
        using var httpA = a.CreateClient();
        using var httpB = b.CreateClient();
        var token = Send.NewToken();
        stub.Activate(token, lifetime: TimeSpan.FromHours(1), maxAge: 3600);
        await AssertOkAsync(httpA, token);
        await redis.WaitForKeyAsync("test:" + PhantomTokenCache.KeyOf(token));
        stub.Answer(token, new StubAnswer(204)); // revoked at the server
        await Task.Delay(TimeSpan.FromSeconds(1));
        await AssertOkAsync(httpB, token); // from Redis, within the bound counted from A's introspection
        Assert.Equal(1, stub.Calls);
        // B's in-memory copy would live until 1 s + 3 s; the deadline stored with the value ends it at 3 s after A's introspection.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        foreach (var http in new[] { httpA, httpB })
        {
            using var response = await Send.GetAsync(http, "/api/x", "Bearer " + token);
            await Send.AssertRefusedAsync(response, 401, "invalid_token");
        }
    }

    [Fact]
    public async Task RedisStopped_GatewayKeepsWorking_WithOneWarning()
    {
        var logs = new CapturedLogs();
        await using var redis = await RedisServer.StartAsync();
        await using var g = await StartAsync(redis, logs: logs);
        using var http = g.CreateClient();
        var cached = Send.NewToken();
        g.Stub.Activate(cached);
        await AssertOkAsync(http, cached);
        await redis.WaitForKeyAsync("test:" + PhantomTokenCache.KeyOf(cached));

        await redis.StopAsync();
        Assert.False(redis.IsRunning);

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            await AssertOkAsync(http, cached); // from the in-memory level
            var fresh = Send.NewToken();
            var jwt = g.Stub.Activate(fresh);
            await AssertOkAsync(http, fresh, jwt); // through introspection
            await AssertOkAsync(http, fresh, jwt); // then from the in-memory level
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"30 requests took {watch.Elapsed} with Redis down");
        Assert.Equal(11, g.Stub.Calls);

        var redisWarnings = logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("Redis second-level cache", StringComparison.Ordinal)).ToList();
        Assert.Single(redisWarnings);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.True(g.Gateway.App.Services.GetRequiredService<RedisSecondLevel>().IsDown);
    }

    [Fact]
    public async Task RedisUnreachableAtStartup_GatewayStartsAndServes()
    {
        var logs = new CapturedLogs();
        var port = FreePort.Next(); // nothing listens there
        await using var g = await InProcessGateway.StartAsync(change: s => s["Gatehouse:Gateway:Cache:Redis"] = $"127.0.0.1:{port}", logs: logs);
        using var http = g.CreateClient();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            var token = Send.NewToken();
            g.Stub.Activate(token);
            await AssertOkAsync(http, token);
            await AssertOkAsync(http, token);
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"10 requests took {watch.Elapsed} with Redis unreachable");
        Assert.Equal(5, g.Stub.Calls);
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Redis second-level cache", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task WithoutRedis_NoDistributedCacheIsRegistered()
    {
        await using var g = await InProcessGateway.StartAsync();
        Assert.Null(g.Gateway.App.Services.GetService<RedisSecondLevel>());
        Assert.Null(g.Gateway.App.Services.GetService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>());
    }
}
