using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Gatehouse.Workload.Tests;
using Microsoft.AspNetCore.Builder;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>
/// Real Workload API agents on Unix sockets in a temp directory, all signing with one workload CA on the real clock.
/// Each agent registers one SPIFFE ID for this process's uid, so a test process can hold several identities by
/// asking different agents — as two workloads on two nodes would.
/// </summary>
public sealed class WorkloadAgents : IAsyncDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("gatehouse-mtls-").FullName;
    private readonly List<WebApplication> _agents = [];
    private readonly List<WorkloadApiX509Source> _sources = [];

    public WorkloadAgents(string trustDomain = "example.org") =>
        Ca = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse(trustDomain) }, TimeProvider.System);

    public WorkloadCaManager Ca { get; }

    /// <summary>Starts an agent issuing <paramref name="path"/> (with <paramref name="dnsNames"/>) and returns a source following it.</summary>
    public async Task<WorkloadApiX509Source> StartAsync(string path, TimeSpan? x509SvidTtl = null, params string[] dnsNames)
    {
        var socket = await StartAgentAsync(path, x509SvidTtl, dnsNames);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var source = await WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(socket), cancellationToken: timeout.Token);
        _sources.Add(source);
        return source;
    }

    /// <summary>Starts an agent issuing <paramref name="path"/>; returns its socket path.</summary>
    public async Task<string> StartAgentAsync(string path, TimeSpan? x509SvidTtl = null, params string[] dnsNames)
    {
        var socket = Path.Combine(_directory, $"agent{_agents.Count}.sock");
        var entries = new InMemoryRegistrationEntryStore();
        await entries.CreateAsync(new RegistrationEntry(path, SpiffeId.FromPath(Ca.TrustDomain, path), [Selector.UnixUid(TestPki.CurrentUid())], dnsNames, x509SvidTtl));
        var agent = WorkloadApiHost.Create(socket, Ca, entries);
        await agent.StartAsync();
        _agents.Add(agent);
        return socket;
    }

    /// <summary>A scratch directory removed with the agents.</summary>
    public string Directory(string name) => System.IO.Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
            await source.DisposeAsync();
        foreach (var agent in _agents)
        {
            await agent.StopAsync();
            await agent.DisposeAsync();
        }
        Ca.Dispose();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
