using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api.Proto;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Workload.Api;

/// <summary>
/// An <see cref="IX509Source"/> fed by the Workload API: follows the FetchX509SVID stream and swaps in the new SVID
/// and bundles on every message (§5.3: each message is the complete state). Reconnects with backoff when the agent
/// goes away; until then the last SVID stays in use. A workload entitled to several SPIFFE IDs takes the default
/// (first) SVID, or picks one by its ID (as go-spiffe's <c>WithDefaultX509SVIDPicker</c>).
/// </summary>
public sealed class WorkloadApiX509Source : IX509Source, IAsyncDisposable
{
    private readonly WorkloadEndpointAddress _address;
    private readonly SpiffeId? _pick;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile State? _state;
    private Task _loop = Task.CompletedTask;
    private int _updates;

    private sealed record State(X509SvidCredential Svid, SpiffeBundleSet Bundles);

    private WorkloadApiX509Source(WorkloadEndpointAddress address, SpiffeId? pick, ILogger? logger)
    {
        _address = address;
        _pick = pick;
        _log = logger ?? NullLogger.Instance;
    }

    public static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Starts following the agent and returns once the first X.509-SVID has arrived; uses the default (first) SVID.</summary>
    public static Task<WorkloadApiX509Source> StartAsync(WorkloadEndpointAddress address, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        StartAsync(new WorkloadApiX509Source(address, null, logger), cancellationToken);

    /// <summary>
    /// Starts following the agent and returns once an X.509-SVID for <paramref name="svidId"/> has arrived. A message
    /// without it (the workload is not, or no longer, entitled to that ID) is refused like a malformed one: the last
    /// SVID stays in use and the source reconnects with backoff.
    /// </summary>
    public static Task<WorkloadApiX509Source> StartAsync(WorkloadEndpointAddress address, SpiffeId svidId, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        StartAsync(new WorkloadApiX509Source(address, svidId, logger), cancellationToken);

    private static async Task<WorkloadApiX509Source> StartAsync(WorkloadApiX509Source source, CancellationToken cancellationToken)
    {
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
                    _state = Parse(response, _pick);
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

    /// <summary>
    /// The picked SVID (<paramref name="pick"/>, or the default: the first, §5.3), its trust domain's bundle and the
    /// federated bundles, each under its own trust domain.
    /// </summary>
    private static State Parse(X509SVIDResponse response, SpiffeId? pick)
    {
        if (response.Svids.Count == 0)
            throw new InvalidDataException("The agent sent an X509SVIDResponse without SVIDs.");
        var picked = pick is null ? response.Svids[0]
            : response.Svids.FirstOrDefault(s => SpiffeId.TryParse(s.SpiffeId, out var id, out _) && id == pick)
              ?? throw new InvalidDataException($"The agent sent no X.509-SVID for {pick} (only {string.Join(", ", response.Svids.Select(s => s.SpiffeId))}).");
        var svid = X509SvidCredential.FromPkcs8(WorkloadApiClient.ParseCertificates(picked.X509Svid.Memory), picked.X509SvidKey.Span);
        if (pick is not null && svid.Id != pick)
            throw new InvalidDataException($"The agent labelled an X.509-SVID {pick} but its certificate is for {svid.Id}.");
        var bundles = new SpiffeBundleSet();
        foreach (var (trustDomainId, der) in response.FederatedBundles)
            bundles.Put(new SpiffeBundle(SpiffeId.Parse(trustDomainId).TrustDomain, WorkloadApiClient.ParseCertificates(der.Memory)));
        bundles.Put(new SpiffeBundle(svid.Id.TrustDomain, WorkloadApiClient.ParseCertificates(picked.Bundle.Memory))); // our own domain wins
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
