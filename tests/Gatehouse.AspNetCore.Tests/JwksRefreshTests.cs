using System.Net;
using Gatehouse.AspNetCore.Errors;
using Gatehouse.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.AspNetCore.Tests;

/// <summary>
/// JWKS caching, refresh on an unknown kid and its rate limit, counted at the mock server. Each case starts its own
/// mock and API so the counts are its own.
/// </summary>
public sealed class JwksRefreshTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private MockAuthorizationServer mock = null!;
    private ApiHost api = null!;

    public async Task InitializeAsync()
    {
        mock = await MockAuthorizationServer.StartAsync();
        api = await ApiHost.StartAsync(mock, o => o.JwksMinimumRefreshInterval = TimeSpan.FromSeconds(30), clock);
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await mock.DisposeAsync();
    }

    [Fact]
    public async Task Jwks_IsFetchedOnce_AndCached()
    {
        for (var i = 0; i < 10; i++)
            await Expect.Ok(await api.GetAsync("/default", mock.Token().Build()));
        Assert.Equal(1, mock.JwksRequestCount);
    }

    [Fact]
    public async Task RotatedKey_IsAcceptedOnItsFirstToken_AfterOneRefresh()
    {
        await Expect.Ok(await api.GetAsync("/default", mock.Token().Build()));
        var oldToken = mock.Token().Build();
        mock.RotateSigningKey();
        clock.Advance(TimeSpan.FromSeconds(31));

        await Expect.Ok(await api.GetAsync("/default", mock.Token().Build()));
        Assert.Equal(2, mock.JwksRequestCount);
        await Expect.Ok(await api.GetAsync("/default", oldToken));   // the old key is still published
        Assert.Equal(2, mock.JwksRequestCount);
    }

    [Fact]
    public async Task FloodOfUnknownKids_FetchesAtMostOncePerInterval()
    {
        await Expect.Ok(await api.GetAsync("/default", mock.Token().Build()));
        clock.Advance(TimeSpan.FromSeconds(31));

        var attacks = Enumerable.Range(0, 50).Select(_ => mock.Token().SignedWith(MockAuthorizationServer.CreateUnpublishedKey()).Build());
        var responses = await Task.WhenAll(attacks.Select(t => api.GetAsync("/default", t)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal(2, mock.JwksRequestCount);   // the first fetch + one refresh for the whole flood

        clock.Advance(TimeSpan.FromSeconds(10));
        await Expect.InvalidToken(await api.GetAsync("/default", mock.Token().SignedWith(MockAuthorizationServer.CreateUnpublishedKey()).Build()), TokenFailureReason.UnknownKey);
        Assert.Equal(2, mock.JwksRequestCount);   // still within the interval

        clock.Advance(TimeSpan.FromSeconds(21));
        await api.GetAsync("/default", mock.Token().SignedWith(MockAuthorizationServer.CreateUnpublishedKey()).Build());
        Assert.Equal(3, mock.JwksRequestCount);   // the interval has passed: one more
    }

    [Fact]
    public async Task KeyRotatedWithinRateLimit_IsAcceptedOnceTheIntervalPasses()
    {
        await Expect.Ok(await api.GetAsync("/default", mock.Token().Build()));
        mock.RotateSigningKey();
        var token = mock.Token().Build();

        await Expect.InvalidToken(await api.GetAsync("/default", token), TokenFailureReason.UnknownKey);
        Assert.Equal(1, mock.JwksRequestCount);

        clock.Advance(TimeSpan.FromSeconds(30));
        await Expect.Ok(await api.GetAsync("/default", token));
        Assert.Equal(2, mock.JwksRequestCount);
    }

    [Fact]
    public async Task Jwks_IsRefetched_AfterTheRefreshInterval_AndDropsUnpublishedKeys()
    {
        var first = mock.SigningKey;
        var oldToken = mock.Token().Build();
        await Expect.Ok(await api.GetAsync("/default", oldToken));
        mock.RotateSigningKey();
        mock.Unpublish(first);

        clock.Advance(TimeSpan.FromHours(1));
        await Expect.InvalidToken(await api.GetAsync("/default", oldToken), TokenFailureReason.UnknownKey);
        Assert.Equal(2, mock.JwksRequestCount);
    }

    [Fact]
    public async Task UnreachableJwks_Returns401NotServerError_AndIsRetriedAtTheRateLimit()
    {
        var token = mock.Token().Build();
        await mock.DisposeAsync();
        for (var i = 0; i < 20; i++)
            await Expect.InvalidToken(await api.GetAsync("/default", token), TokenFailureReason.UnknownKey);
        var cache = (Jwks.JwksKeyCache)api.Services.GetService(typeof(Jwks.JwksKeyCache))!;
        Assert.Equal(1, cache.FetchCount);
        clock.Advance(TimeSpan.FromSeconds(30));
        await Expect.InvalidToken(await api.GetAsync("/default", token), TokenFailureReason.UnknownKey);
        Assert.Equal(2, cache.FetchCount);
        mock = await MockAuthorizationServer.StartAsync();
    }
}
