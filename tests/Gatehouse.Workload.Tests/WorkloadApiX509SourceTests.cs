using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Microsoft.AspNetCore.Builder;

namespace Gatehouse.Workload.Tests;

/// <summary><see cref="WorkloadApiX509Source"/> against a real agent on a Unix socket: first SVID, picking one of several by ID, and an agent restart.</summary>
public sealed class WorkloadApiX509SourceTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly WorkloadCaManager _ca = new(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse("example.org") }, TimeProvider.System);
    private readonly InMemoryRegistrationEntryStore _entries = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-source-").FullName;
    private WebApplication? _agent;

    private string Socket => Path.Combine(_directory, "agent.sock");

    public async Task InitializeAsync()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", SpiffeId.Parse("spiffe://example.org/api"), [Selector.UnixUid(TestPki.CurrentUid())]));
        await StartAgentAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAgentAsync();
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task StartAgentAsync()
    {
        _agent = WorkloadApiHost.Create(Socket, _ca, _entries);
        await _agent.StartAsync();
    }

    private async Task StopAgentAsync()
    {
        if (_agent is null)
            return;
        await _agent.StopAsync();
        await _agent.DisposeAsync();
        _agent = null;
    }

    [Fact]
    public async Task FirstMessage_GivesTheDefaultSvidWithItsKey_AndTheTrustDomainsBundle()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await using var source = await WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(Socket), cancellationToken: timeout.Token);

        Assert.Equal(SpiffeId.Parse("spiffe://example.org/api"), source.Svid.Id);
        Assert.True(source.Svid.Certificate.HasPrivateKey);
        Assert.True(source.Bundles.TryGet(_ca.TrustDomain, out var bundle));
        Assert.True(new X509SvidValidator().Validate([source.Svid.Certificate, .. source.Svid.Intermediates], bundle).IsValid);
    }

    [Fact]
    public async Task SeveralSvids_PickedById_GivesThatSvidAndItsBundle_DefaultStaysTheFirst()
    {
        var worker = SpiffeId.Parse("spiffe://example.org/worker");
        await _entries.CreateAsync(new RegistrationEntry("worker", worker, [Selector.UnixUid(TestPki.CurrentUid())]));
        using var timeout = new CancellationTokenSource(Patience);

        await using var picked = await WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(Socket), worker, cancellationToken: timeout.Token);
        await using var byDefault = await WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(Socket), cancellationToken: timeout.Token);

        Assert.Equal(worker, picked.Svid.Id);
        Assert.True(picked.Svid.Certificate.HasPrivateKey);
        Assert.True(picked.Bundles.TryGet(_ca.TrustDomain, out var bundle));
        Assert.True(new X509SvidValidator().Validate([picked.Svid.Certificate, .. picked.Svid.Intermediates], bundle).IsValid);
        Assert.Equal(SpiffeId.Parse("spiffe://example.org/api"), byDefault.Svid.Id);
    }

    [Fact]
    public async Task PickedIdTheWorkloadIsNotEntitledTo_NeverBecomesTheSvid()
    {
        // The agent answers (with spiffe://example.org/api only), so the wait ends by the test's deadline, not an error.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(Socket), SpiffeId.Parse("spiffe://example.org/other"), cancellationToken: deadline.Token));
    }

    [Fact]
    public async Task AgentRestarted_LastSvidKeptMeanwhile_ThenFollowsTheNewAgent()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await using var source = await WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(Socket), cancellationToken: timeout.Token);
        var first = source.Svid;

        await StopAgentAsync();
        Assert.Same(first, source.Svid);
        await StartAgentAsync();

        using var deadline = new CancellationTokenSource(Patience);
        while (source.Updates < 2)
            await Task.Delay(50, deadline.Token);
        Assert.NotEqual(first.Certificate.SerialNumber, source.Svid.Certificate.SerialNumber);
    }
}
