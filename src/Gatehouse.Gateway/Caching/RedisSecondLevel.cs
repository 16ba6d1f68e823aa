using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Caching;

/// <summary>
/// HybridCache's second level (the shared Redis cache) with the gateway's two rules added:
/// <list type="bullet">
/// <item>Expiration: HybridCache fixes an entry's lifetime before the factory runs, so it can only pass the configured
/// maximum. The factory announces the entry's real deadline (min of JWT exp, max-age, maximum) for its key with
/// <see cref="Announce"/>; the write to Redis takes it and never sets a later expiration than that.</item>
/// <item>Availability: every Redis failure is swallowed (a miss on read, nothing on write), so the gateway keeps working
/// from introspection and the in-memory level. After a failure Redis is not asked again for <see cref="RetryAfter"/>;
/// one warning is logged per outage and one message when Redis answers again, never one per request.</item>
/// </list>
/// </summary>
public sealed class RedisSecondLevel(IDistributedCache inner, TimeProvider time, ILogger<RedisSecondLevel> logger, string description)
    : IBufferDistributedCache, IDisposable
{
    /// <summary>How long Redis is left alone after a failure.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly IBufferDistributedCache? _buffers = inner as IBufferDistributedCache;
    private readonly ConcurrentDictionary<string, long> _deadlines = new(StringComparer.Ordinal);
    private long _skipUntilMs;
    private int _down;

    /// <summary>Whether the last Redis operation failed (the outage has not ended yet).</summary>
    public bool IsDown => Volatile.Read(ref _down) == 1;

    /// <summary>Pending deadlines not yet taken by a write (for tests: must not grow).</summary>
    internal int PendingDeadlines => _deadlines.Count;

    /// <summary>
    /// The next write of <paramref name="key"/> to Redis expires no later than <paramref name="validUntilMs"/> (unix ms).
    /// HybridCache may write to Redis after it has handed the value to the caller, so the announcement stays until the
    /// write takes it; one that no write takes (the write was skipped) is swept once its deadline has passed.
    /// </summary>
    public void Announce(string key, long validUntilMs)
    {
        _deadlines[key] = validUntilMs;
        if (_deadlines.Count > SweepAbove)
            Sweep();
    }

    private const int SweepAbove = 1024;
    private long _lastSweepMs;

    private void Sweep()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var last = Volatile.Read(ref _lastSweepMs);
        if (now - last < 1000 || Interlocked.CompareExchange(ref _lastSweepMs, now, last) != last)
            return; // at most one sweep a second
        foreach (var (key, deadline) in _deadlines)
        {
            if (deadline <= now)
                _deadlines.TryRemove(new KeyValuePair<string, long>(key, deadline));
        }
    }

    private DistributedCacheEntryOptions Cap(string key, DistributedCacheEntryOptions options)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? expires = options.AbsoluteExpiration;
        if (options.AbsoluteExpirationRelativeToNow is { } relative && (expires is null || now + relative < expires))
            expires = now + relative;
        if (_deadlines.TryRemove(key, out var deadlineMs))
        {
            var deadline = DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs);
            if (expires is null || deadline < expires)
                expires = deadline;
        }
        // Sliding expiration is not used by HybridCache; an absolute expiration is always set.
        return new DistributedCacheEntryOptions { AbsoluteExpiration = expires };
    }

    private bool Skipping => time.GetUtcNow().ToUnixTimeMilliseconds() < Volatile.Read(ref _skipUntilMs);

    private void Succeeded()
    {
        if (Interlocked.Exchange(ref _down, 0) == 1)
            logger.LogInformation("Redis second-level cache {Redis} answers again; JWTs are shared between replicas again", description);
    }

    private void Failed(Exception e)
    {
        Volatile.Write(ref _skipUntilMs, (time.GetUtcNow() + RetryAfter).ToUnixTimeMilliseconds());
        if (Interlocked.Exchange(ref _down, 1) == 0)
            logger.LogWarning("Redis second-level cache {Redis} is unavailable ({Error}: {Message}); serving from introspection and the in-memory cache, retrying every {RetryAfter} s",
                description, e.GetType().Name, e.Message, RetryAfter.TotalSeconds);
        else
            logger.LogDebug("Redis second-level cache {Redis} still unavailable ({Error})", description, e.GetType().Name);
    }

    private static bool IsFailure(Exception e, CancellationToken ct) => !(e is OperationCanceledException && ct.IsCancellationRequested);

    public byte[]? Get(string key)
    {
        if (Skipping)
            return null;
        try
        {
            var value = inner.Get(key);
            Succeeded();
            return value;
        }
        catch (Exception e)
        {
            Failed(e);
            return null;
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        if (Skipping)
            return null;
        try
        {
            var value = await inner.GetAsync(key, token);
            Succeeded();
            return value;
        }
        catch (Exception e) when (IsFailure(e, token))
        {
            Failed(e);
            return null;
        }
    }

    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        if (_buffers is null)
        {
            var bytes = Get(key);
            if (bytes is null)
                return false;
            destination.Write(bytes);
            return true;
        }
        if (Skipping)
            return false;
        try
        {
            var found = _buffers.TryGet(key, destination);
            Succeeded();
            return found;
        }
        catch (Exception e)
        {
            Failed(e);
            return false;
        }
    }

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        if (_buffers is null)
        {
            var bytes = await GetAsync(key, token);
            if (bytes is null)
                return false;
            destination.Write(bytes);
            return true;
        }
        if (Skipping)
            return false;
        try
        {
            var found = await _buffers.TryGetAsync(key, destination, token);
            Succeeded();
            return found;
        }
        catch (Exception e) when (IsFailure(e, token))
        {
            Failed(e);
            return false;
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        var capped = Cap(key, options);
        if (Skipping)
            return;
        try
        {
            inner.Set(key, value, capped);
            Succeeded();
        }
        catch (Exception e)
        {
            Failed(e);
        }
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        var capped = Cap(key, options);
        if (Skipping)
            return;
        try
        {
            await inner.SetAsync(key, value, capped, token);
            Succeeded();
        }
        catch (Exception e) when (IsFailure(e, token))
        {
            Failed(e);
        }
    }

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
    {
        if (_buffers is null)
        {
            Set(key, value.ToArray(), options);
            return;
        }
        var capped = Cap(key, options);
        if (Skipping)
            return;
        try
        {
            _buffers.Set(key, value, capped);
            Succeeded();
        }
        catch (Exception e)
        {
            Failed(e);
        }
    }

    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        if (_buffers is null)
        {
            await SetAsync(key, value.ToArray(), options, token);
            return;
        }
        var capped = Cap(key, options);
        if (Skipping)
            return;
        try
        {
            await _buffers.SetAsync(key, value, capped, token);
            Succeeded();
        }
        catch (Exception e) when (IsFailure(e, token))
        {
            Failed(e);
        }
    }

    public void Refresh(string key)
    {
        // Absolute expirations only: nothing to refresh.
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key)
    {
        if (Skipping)
            return;
        try
        {
            inner.Remove(key);
            Succeeded();
        }
        catch (Exception e)
        {
            Failed(e);
        }
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        if (Skipping)
            return;
        try
        {
            await inner.RemoveAsync(key, token);
            Succeeded();
        }
        catch (Exception e) when (IsFailure(e, token))
        {
            Failed(e);
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
