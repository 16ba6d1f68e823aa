using System.Net;
using System.Threading.Channels;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Api.Proto;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Federation;
using Gatehouse.Workload.Registration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Workload.Tests;

/// <summary>
/// Polling a foreign trust domain's bundle endpoint (real HTTPS, https_spiffe) on a fake clock: the bundle reaches
/// the Workload API, is refreshed at its spiffe_refresh_hint, follows the other side's rotation, survives failures.
/// </summary>
public sealed class FederatedBundlePollerTests : IAsyncLifetime
{
    private static readonly TrustDomain ExampleOrg = TrustDomain.Parse("example.org");
    private static readonly SpiffeId EndpointId = SpiffeId.Parse("spiffe://example.org/bundle-endpoint");
    private static readonly TimeSpan Hint = TimeSpan.FromMinutes(7);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Both clocks start now: the endpoint's certificate is checked against the poller's clock.
    private readonly FakeTimeProvider _exampleClock = new(DateTimeOffset.UtcNow);
    private readonly FakeTimeProvider _pollerClock = new(DateTimeOffset.UtcNow);
    private readonly FakeLogger _log = new();
    private readonly WorkloadApiFederation _federation = new();
    private readonly Channel<FederationStatus> _polls = Channel.CreateUnbounded<FederationStatus>();
    private WorkloadCaManager _example = null!;
    private WebApplication _endpoint = null!;
    private FederatedBundlePoller _poller = null!;

    public Task InitializeAsync() => StartAsync(Hint);

    private async Task StartAsync(TimeSpan refreshHint)
    {
        _example = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = ExampleOrg, JwtKeyTtl = TimeSpan.FromHours(1), BundleRefreshHint = refreshHint }, _exampleClock);
        _endpoint = BundleEndpointServer.CreateHttpsSpiffe(_example, EndpointId, new IPEndPoint(IPAddress.Loopback, 0));
        await _endpoint.StartAsync();
        var url = new Uri(_endpoint.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _poller = new FederatedBundlePoller([new FederationRelationship(ExampleOrg, url, EndpointId, _example.Bundle)], _federation, _log, _pollerClock);
        _poller.Polled += (_, status) => _polls.Writer.TryWrite(status);
        await _poller.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _poller.StopAsync(CancellationToken.None);
        _poller.Dispose();
        await _endpoint.DisposeAsync();
        _example.Dispose();
    }

    private async Task<FederationStatus> NextPollAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _polls.Reader.ReadAsync(timeout.Token);
    }

    private SpiffeBundle Federated() => Assert.Single(_federation.Bundles);

    [Fact]
    public async Task Poller_FirstPoll_BundleReachesTheFederation()
    {
        var status = await NextPollAsync();

        Assert.Null(status.LastError);
        Assert.Equal(ExampleOrg, Federated().TrustDomain);
        Assert.Equal(_example.Bundle.ToJson(), Federated().ToJson());
    }

    [Fact]
    public async Task Poller_NextPoll_AtTheRefreshHint()
    {
        var first = await NextPollAsync();
        Assert.Equal(first.LastSuccess + Hint, first.NextPoll);

        _pollerClock.Advance(Hint);
        var second = await NextPollAsync();

        Assert.Equal(first.LastSuccess + Hint, second.LastSuccess);
    }

    [Fact]
    public async Task Poller_OtherSideRotates_NewBundleAfterTheHint()
    {
        await NextPollAsync();
        var before = Federated().JwtAuthorities.Keys.ToHashSet();

        _exampleClock.Advance(TimeSpan.FromMinutes(31)); // past half the JWT key's life: its successor is published
        _example.Rotate();
        Assert.NotEqual(before, _example.Bundle.JwtAuthorities.Keys.ToHashSet());
        Assert.Equal(before, Federated().JwtAuthorities.Keys.ToHashSet()); // not yet polled
        _pollerClock.Advance(Hint);
        await NextPollAsync();

        Assert.Equal(_example.Bundle.JwtAuthorities.Keys.Order(), Federated().JwtAuthorities.Keys.Order());
        Assert.True(Federated().JwtAuthorities.Keys.ToHashSet().IsProperSupersetOf(before));
    }

    [Fact]
    public async Task Poller_EndpointDown_KeepsTheLastGoodBundleAndRetriesAtTheMinimum()
    {
        await NextPollAsync();
        var good = Federated().ToJson();

        await _endpoint.StopAsync();
        _pollerClock.Advance(Hint);
        var failed = await NextPollAsync();

        Assert.NotNull(failed.LastError);
        Assert.Equal(good, Federated().ToJson());
        Assert.Equal(_pollerClock.GetUtcNow() + TimeSpan.FromSeconds(30), failed.NextPoll);
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Message.Contains("keeping the last good one"));
    }

    [Theory]
    [InlineData(0, 30)]        // "poll constantly": the minimum
    [InlineData(1, 30)]        // below the minimum: the minimum
    [InlineData(86400, 3600)]  // above the maximum: the maximum
    public async Task Poller_RefreshHint_Bounded(int hintSeconds, int expectedSeconds)
    {
        await DisposeAsync();
        await StartAsync(TimeSpan.FromSeconds(hintSeconds));

        var status = await NextPollAsync();

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), status.NextPoll - status.LastSuccess);
    }

    [Fact]
    public void Poller_NoRefreshHint_FiveMinutes()
    {
        var poller = new FederatedBundlePoller([], _federation, _log);

        Assert.Equal(TimeSpan.FromMinutes(5), poller.RefreshAfter(null));
        Assert.Equal(Hint, poller.RefreshAfter(Hint));
    }

    public static TheoryData<string, FederationRelationship[]> BadRelationships() => new()
    {
        { "must be https", [new(ExampleOrg, new Uri("http://127.0.0.1:8443/"))] },
        { "needs both", [new(ExampleOrg, new Uri("https://127.0.0.1:8443/"), EndpointId)] },
        { "must be in the trust domain it serves", [new(ExampleOrg, new Uri("https://127.0.0.1:8443/"), SpiffeId.Parse("spiffe://other.org/be"), new SpiffeBundle(ExampleOrg))] },
        { "twice", [new(ExampleOrg, new Uri("https://a.example/")), new(ExampleOrg, new Uri("https://b.example/"))] },
    };

    [Theory]
    [MemberData(nameof(BadRelationships))]
    public void Poller_BadRelationship_RefusedAtConstruction(string message, FederationRelationship[] relationships)
    {
        var e = Assert.Throws<ArgumentException>(() => new FederatedBundlePoller(relationships, _federation, _log));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task WorkloadApi_FederatedBundleRefreshed_StreamsSendItUnderItsOwnTrustDomain()
    {
        await NextPollAsync();
        using var otherOrg = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse("other.org") }, TimeProvider.System);
        var entries = new InMemoryRegistrationEntryStore();
        await entries.CreateAsync(new RegistrationEntry("reports", SpiffeId.Parse("spiffe://other.org/reports"), [Selector.UnixUid(TestPki.CurrentUid())]));
        var directory = Directory.CreateTempSubdirectory("gatehouse-federation-");
        try
        {
            var socket = Path.Combine(directory.FullName, "agent.sock");
            await using var agent = WorkloadApiHost.Create(socket, otherOrg, entries, federation: _federation);
            await agent.StartAsync();
            using var client = new WorkloadApiClient(socket);
            using var timeout = new CancellationTokenSource(Patience);
            using var stream = client.Raw.FetchJWTBundles(new JWTBundlesRequest(), WorkloadApiClient.Headers, cancellationToken: timeout.Token);

            Assert.True(await stream.ResponseStream.MoveNext(timeout.Token));
            var first = stream.ResponseStream.Current.Bundles;
            Assert.Equal(["spiffe://example.org", "spiffe://other.org"], first.Keys.Order());
            Assert.Equal(otherOrg.Bundle.JwtAuthorities.Keys.Order(), SpiffeBundle.Parse(otherOrg.TrustDomain, first["spiffe://other.org"].ToStringUtf8()).JwtAuthorities.Keys.Order());

            _exampleClock.Advance(TimeSpan.FromMinutes(31));
            _example.Rotate();
            _pollerClock.Advance(Hint);

            Assert.True(await stream.ResponseStream.MoveNext(timeout.Token));
            var second = SpiffeBundle.Parse(ExampleOrg, stream.ResponseStream.Current.Bundles["spiffe://example.org"].ToStringUtf8());
            Assert.Equal(_example.Bundle.JwtAuthorities.Keys.Order(), second.JwtAuthorities.Keys.Order());
            await agent.StopAsync();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
