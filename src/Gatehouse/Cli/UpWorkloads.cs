using System.Text;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Cli;

/// <summary>
/// The workload identities of <c>gatehouse up</c>: a Workload API agent in this process (in-memory CA, socket in the data
/// directory) with one registration entry per component, all for this process's uid since the components share it.
/// The agent therefore sends every SVID to this process, and each component takes its own by SPIFFE ID through the
/// socket, attested like any other workload.
/// </summary>
internal sealed class UpWorkloads(string socket, WorkloadCaManager ca, WebApplication agent, ILoggerFactory logs) : IAsyncDisposable
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL (unix(7)).</summary>
    private const int MaxSocketPathBytes = 107;

    private readonly List<WorkloadApiX509Source> _sources = [];

    public string Socket => socket;
    public TrustDomain TrustDomain => ca.TrustDomain;
    public SpiffeId GatewayId => SpiffeId.FromPath(TrustDomain, "/gateway");
    public SpiffeId MedicalApiId => SpiffeId.FromPath(TrustDomain, "/medical-api");

    /// <exception cref="UpWorkloadsException">The socket path is too long for a Unix socket.</exception>
    public static async Task<UpWorkloads> StartAsync(string dataDirectory, TrustDomain trustDomain, CancellationToken ct)
    {
        var socket = Path.Combine(dataDirectory, "workload", "agent.sock");
        if (Encoding.UTF8.GetByteCount(socket) > MaxSocketPathBytes)
            throw new UpWorkloadsException($"The Workload API socket {socket} is longer than a Unix socket path may be ({MaxSocketPathBytes} bytes). Fix: choose a shorter --data path.");
        Directory.CreateDirectory(Path.GetDirectoryName(socket)!);

        var ca = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = trustDomain }, TimeProvider.System);
        var entries = new InMemoryRegistrationEntryStore();
        var agent = WorkloadApiHost.Create(socket, ca, entries);
        var workloads = new UpWorkloads(socket, ca, agent,
            LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })));
        try
        {
            var us = Selector.UnixUid(EffectiveUid());
            foreach (var id in new[] { workloads.GatewayId, workloads.MedicalApiId })
                await entries.CreateAsync(new RegistrationEntry(id.Path.TrimStart('/'), id, [us]), ct);
            await agent.StartAsync(ct);
            return workloads;
        }
        catch
        {
            await workloads.DisposeAsync();
            throw;
        }
    }

    /// <summary>Follows the agent's FetchX509SVID stream as <paramref name="id"/>; returns once its first SVID arrived.</summary>
    /// <exception cref="UpWorkloadsException">No SVID for <paramref name="id"/> within <see cref="FirstSvidTimeout"/>.</exception>
    public async Task<WorkloadApiX509Source> SourceAsync(SpiffeId id, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(FirstSvidTimeout);
        try
        {
            var source = await WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(Socket), id, logs.CreateLogger($"gatehouse.workload.{id.Path.TrimStart('/')}"), timeout.Token);
            _sources.Add(source);
            return source;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new UpWorkloadsException($"No X.509-SVID for {id} from the Workload API at unix://{Socket} within {FirstSvidTimeout.TotalSeconds:0} s (see the warnings above).");
        }
    }

    private static readonly TimeSpan FirstSvidTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The effective uid, which the kernel reports to the agent for our connections (SO_PEERCRED is taken at connect):
    /// the second value of the Uid line in /proc/self/status (proc(5): real, effective, saved, filesystem).
    /// </summary>
    private static uint EffectiveUid() =>
        uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
            await source.DisposeAsync();
        await agent.StopAsync();
        await agent.DisposeAsync();
        ca.Dispose();
        logs.Dispose();
    }
}

internal sealed class UpWorkloadsException(string message) : Exception(message);
