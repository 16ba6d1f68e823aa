using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api.Proto;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Workload.Api;

/// <summary>
/// An <see cref="IX509Source"/> fed by the Workload API: follows the FetchX509SVID stream and swaps in the new SVID
/// and bundles on every message (§5.3: each message is the complete state). Reconnects with backoff when the agent
/// goes away; until then the last SVID stays in use.
/// </summary>
public sealed class WorkloadApiX509Source : IX509Source, IAsyncDisposable
{
    private readonly WorkloadEndpointAddress _address;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile State? _state;
    private Task _loop = Task.CompletedTask;
    private int _updates;

    private sealed record State(X509SvidCredential Svid, SpiffeBundleSet Bundles);

    private WorkloadApiX509Source(WorkloadEndpointAddress address, ILogger? logger)
    {
        _address = address;
        _log = logger ?? NullLogger.Instance;
    }

    public static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Starts following the agent and returns once the first X.509-SVID has arrived.</summary>
    public static async Task<WorkloadApiX509Source> StartAsync(WorkloadEndpointAddress address, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var source = new WorkloadApiX509Source(address, logger);
        source._loop = source.RunAsync(source._stop.Token);
        try
        {
            await source._first.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return source;
    }

    public X509SvidCredential Svid => (_state ?? throw new InvalidOperationException("No X.509-SVID received yet.")).Svid;

    public SpiffeBundleSet Bundles => (_state ?? throw new InvalidOperationException("No bundle received yet.")).Bundles;

    /// <summary>How many FetchX509SVID messages have been applied.</summary>
    public int Updates => Volatile.Read(ref _updates);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new WorkloadApiClient(_address);
                await foreach (var response in client.WatchX509SvidsAsync(cancellationToken).ConfigureAwait(false))
                {
                    _state = Parse(response);
                    Interlocked.Increment(ref _updates);
                    _first.TrySetResult();
                    backoff = MinBackoff;
                    _log.LogInformation("Using X.509-SVID {SpiffeId}, valid until {NotAfter:O}.", _state.Svid.Id, _state.Svid.NotAfter);
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidDataException or ArgumentException or FormatException
                or System.Security.Cryptography.CryptographicException or HttpRequestException)
            {
                _log.LogWarning("Workload API at {Address}: {Error}; retrying in {Backoff}.", _address, e.Message, backoff);
            }
            try
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>The default (first) SVID, its trust domain's bundle and the federated bundles, each under its own trust domain.</summary>
    private static State Parse(X509SVIDResponse response)
    {
        if (response.Svids.Count == 0)
            throw new InvalidDataException("The agent sent an X509SVIDResponse without SVIDs.");
        var first = response.Svids[0];
        var svid = X509SvidCredential.FromPkcs8(WorkloadApiClient.ParseCertificates(first.X509Svid.Memory), first.X509SvidKey.Span);
        var bundles = new SpiffeBundleSet();
        foreach (var (trustDomainId, der) in response.FederatedBundles)
            bundles.Put(new SpiffeBundle(SpiffeId.Parse(trustDomainId).TrustDomain, WorkloadApiClient.ParseCertificates(der.Memory)));
        bundles.Put(new SpiffeBundle(svid.Id.TrustDomain, WorkloadApiClient.ParseCertificates(first.Bundle.Memory))); // our own domain wins
        return new State(svid, bundles);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _first.TrySetCanceled();
        _stop.Dispose();
    }
}
