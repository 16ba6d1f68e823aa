using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.AspNetCore.Jwks;

/// <summary>
/// The authorization server's public keys, fetched over HTTP and cached. JwtBearer reads them through
/// <see cref="IConfigurationManager{T}"/>; before validation, a token whose <c>kid</c> is unknown triggers one refresh
/// (<see cref="EnsureKeyAsync"/>), at most once per <see cref="GatehouseApiOptions.JwksMinimumRefreshInterval"/>
/// whatever the number of such tokens, and concurrent callers share that one fetch.
/// </summary>
public sealed class JwksKeyCache : IConfigurationManager<OpenIdConnectConfiguration>
{
    public const string HttpClientName = "Gatehouse.Jwks";
    private static readonly Meter Meter = new("Gatehouse.AspNetCore");
    private static readonly Counter<long> Fetches = Meter.CreateCounter<long>("gatehouse.api.jwks.fetches");

    private readonly IHttpClientFactory httpClients;
    private readonly IOptionsMonitor<GatehouseApiOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<JwksKeyCache> logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private Snapshot? current;
    private DateTimeOffset lastAttempt = DateTimeOffset.MinValue;

    private sealed record Snapshot(OpenIdConnectConfiguration Configuration, HashSet<string> Kids, DateTimeOffset FetchedAt);

    public JwksKeyCache(IHttpClientFactory httpClients, IOptionsMonitor<GatehouseApiOptions> options, TimeProvider time, ILogger<JwksKeyCache> logger)
    {
        this.httpClients = httpClients;
        this.options = options;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Number of JWKS fetches attempted by this instance.</summary>
    public int FetchCount { get; private set; }

    /// <summary>The keys JwtBearer validates with; fetched on first use and again after <see cref="GatehouseApiOptions.JwksRefreshInterval"/>.</summary>
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var snapshot = current;
        var now = time.GetUtcNow();
        // A failed or stale fetch is retried at most once per minimum interval, so an unreachable server is not hammered either.
        if ((snapshot is null || now - snapshot.FetchedAt >= options.CurrentValue.JwksRefreshInterval) && MayFetch())
            snapshot = await RefreshAsync(s => (s is null || now - s.FetchedAt >= options.CurrentValue.JwksRefreshInterval) && MayFetch(), cancel);
        // Without keys every token fails as "signature key not found" (401), never a 500.
        return snapshot?.Configuration ?? Empty();
    }

    /// <summary>Makes sure <paramref name="kid"/> is known if the server publishes it, within the refresh rate limit.</summary>
    public async Task EnsureKeyAsync(string kid, CancellationToken cancel)
    {
        var snapshot = current;
        if (snapshot is not null && snapshot.Kids.Contains(kid))
            return;
        if (!MayFetch())
            return;
        await RefreshAsync(s => (s is null || !s.Kids.Contains(kid)) && MayFetch(), cancel);
    }

    /// <summary>
    /// Called by JwtBearer after a signature-key-not-found failure. Deliberately a no-op: an unknown kid was already
    /// looked up before validation (<see cref="EnsureKeyAsync"/>), under the rate limit.
    /// </summary>
    public void RequestRefresh()
    {
    }

    private bool MayFetch() => time.GetUtcNow() - lastAttempt >= options.CurrentValue.JwksMinimumRefreshInterval;

    private async Task<Snapshot?> RefreshAsync(Func<Snapshot?, bool> stillNeeded, CancellationToken cancel)
    {
        await gate.WaitAsync(cancel);
        try
        {
            // Another caller may have fetched while this one waited.
            if (!stillNeeded(current))
                return current;
            lastAttempt = time.GetUtcNow();
            FetchCount++;
            Fetches.Add(1);
            var o = options.CurrentValue;
            var uri = o.EffectiveJwksUri;
            try
            {
                using var response = await httpClients.CreateClient(HttpClientName).GetAsync(uri, cancel);
                response.EnsureSuccessStatusCode();
                var json = await response.Content.ReadAsStringAsync(cancel);
                var set = new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = true };
                var configuration = new OpenIdConnectConfiguration { Issuer = o.EffectiveIssuer, JwksUri = uri, JsonWebKeySet = set };
                foreach (var key in set.GetSigningKeys())
                    configuration.SigningKeys.Add(key);
                var kids = configuration.SigningKeys.Select(k => k.KeyId).Where(k => k is not null).ToHashSet(StringComparer.Ordinal);
                current = new Snapshot(configuration, kids, lastAttempt);
                logger.LogInformation("Fetched {Count} signing keys from {JwksUri}.", kids.Count, uri);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ArgumentException or System.Text.Json.JsonException)
            {
                logger.LogError(e, "Could not fetch the JWKS from {JwksUri}; keeping the {State} keys.", uri, current is null ? "(no)" : "previous");
            }
            return current;
        }
        finally
        {
            gate.Release();
        }
    }

    private OpenIdConnectConfiguration Empty() => new() { Issuer = options.CurrentValue.EffectiveIssuer };
}
