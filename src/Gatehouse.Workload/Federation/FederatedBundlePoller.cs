using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Federation;

/// <summary>
/// Keeps foreign trust domains' bundles fresh from their bundle endpoints and hands them to the Workload API
/// (<see cref="WorkloadApiFederation"/>), each under its own trust domain.
/// <list type="bullet">
/// <item>The next fetch is due after the bundle's <c>spiffe_refresh_hint</c> (SPIFFE_Trust_Domain_and_Bundle §4.1),
/// bounded to [<see cref="MinRefresh"/>, <see cref="MaxRefresh"/>]; without a hint, after <see cref="DefaultRefresh"/>
/// (about five minutes, as the spec suggests).</item>
/// <item>A failed fetch keeps the last good bundle and is retried after <see cref="MinRefresh"/>, not in a tight loop.</item>
/// <item>A bundle whose <c>spiffe_sequence</c> is lower than the held one's is older (another replica lagging, §4.1) and is not taken.</item>
/// <item>Under https_spiffe the held bundle authenticates the next fetch (§5.2.2).</item>
/// </list>
/// </summary>
public sealed class FederatedBundlePoller(IReadOnlyList<FederationRelationship> relationships, WorkloadApiFederation federation, ILogger logger,
    TimeProvider? timeProvider = null, HttpClient? webPkiClient = null) : BackgroundService
{
    private readonly IReadOnlyList<FederationRelationship> _relationships = Validated(relationships);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<TrustDomain, FederationStatus> _status = [];

    public IReadOnlyList<FederationRelationship> Relationships => _relationships;

    public TimeSpan DefaultRefresh { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan MinRefresh { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxRefresh { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Where polling of <paramref name="trustDomain"/> stands; null before the first attempt.</summary>
    public FederationStatus? StatusOf(TrustDomain trustDomain)
    {
        lock (_lock)
            return _status.GetValueOrDefault(trustDomain);
    }

    /// <summary>Raised after every attempt, with its outcome.</summary>
    public event Action<TrustDomain, FederationStatus>? Polled;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_relationships.Select(r => PollAsync(r, stoppingToken)));

    private static IReadOnlyList<FederationRelationship> Validated(IReadOnlyList<FederationRelationship> relationships)
    {
        foreach (var relationship in relationships)
            relationship.Validate();
        if (relationships.GroupBy(r => r.TrustDomain).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"{twice.Key} is federated with twice; one bundle endpoint per trust domain.");
        return [.. relationships];
    }

    private async Task PollAsync(FederationRelationship relationship, CancellationToken cancellationToken)
    {
        using var http = webPkiClient is null && relationship.EndpointId is null ? new HttpClient() : null;
        var held = relationship.EndpointBundle;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            FederationStatus status;
            try
            {
                var fetched = relationship.EndpointId is { } endpointId
                    ? await BundleEndpointClient.FetchHttpsSpiffeAsync(relationship.Url, relationship.TrustDomain, endpointId, held!, _time, cancellationToken).ConfigureAwait(false)
                    : await BundleEndpointClient.FetchHttpsWebAsync(webPkiClient ?? http!, relationship.Url, relationship.TrustDomain, cancellationToken).ConfigureAwait(false);
                if (held?.SequenceNumber is { } heldSequence && fetched.SequenceNumber is { } fetchedSequence && fetchedSequence < heldSequence)
                {
                    logger.LogWarning("Bundle of {TrustDomain} from {Url} has spiffe_sequence {Fetched}, older than the held {Held}; keeping the held bundle.",
                        relationship.TrustDomain, relationship.Url, fetchedSequence, heldSequence);
                }
                else
                {
                    held = fetched;
                    federation.Put(fetched);
                }
                wait = RefreshAfter(held.RefreshHint);
                status = new FederationStatus(_time.GetUtcNow(), _time.GetUtcNow() + wait, null);
            }
            catch (Exception e) when (e is HttpRequestException or BundleFormatException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                wait = MinRefresh;
                logger.LogWarning("Fetching the bundle of {TrustDomain} from {Url} failed, keeping the last good one, retrying in {Wait}: {Reason}",
                    relationship.TrustDomain, relationship.Url, wait, e.Message);
                status = new FederationStatus(StatusOf(relationship.TrustDomain)?.LastSuccess, _time.GetUtcNow() + wait, e.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            // The timer starts before the outcome is published, so whoever reacts to it (and moves a clock) finds it set.
            var next = Task.Delay(wait, _time, cancellationToken);
            lock (_lock)
                _status[relationship.TrustDomain] = status;
            Polled?.Invoke(relationship.TrustDomain, status);
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>When to poll again after a bundle with this <c>spiffe_refresh_hint</c>.</summary>
    internal TimeSpan RefreshAfter(TimeSpan? hint) => hint switch
    {
        null => DefaultRefresh,
        { } h when h < MinRefresh => MinRefresh,
        { } h when h > MaxRefresh => MaxRefresh,
        { } h => h,
    };
}

/// <summary>The outcome of the latest poll of one trust domain's bundle endpoint.</summary>
public sealed record FederationStatus(DateTimeOffset? LastSuccess, DateTimeOffset NextPoll, string? LastError);
