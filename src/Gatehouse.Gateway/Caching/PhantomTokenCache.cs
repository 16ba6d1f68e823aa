using System.ComponentModel;
using Gatehouse.Gateway.Configuration;
using Gatehouse.Gateway.Introspection;
using Gatehouse.Protocol.Tokens;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Gateway.Caching;

/// <summary>A JWT as cached: the token, when it stops being served (unix ms), and its scopes for the per-hit scope check.</summary>
/// <remarks>Sealed and <see cref="ImmutableObjectAttribute"/>: HybridCache then keeps this instance in its in-memory level and
/// returns it on a hit, instead of storing JSON bytes and deserializing a new copy (JWT string and scopes) on every request.
/// Nothing mutates an entry after the factory returns it.</remarks>
[ImmutableObject(true)]
public sealed record CachedJwt(string Jwt, long ValidUntilMs, string[] Scopes);

/// <summary>Thrown inside the cache factory so that nothing but an active token is ever cached.</summary>
public sealed class IntrospectionRejectedException(IntrospectionResult result) : Exception(result.Log)
{
    public IntrospectionResult Result { get; } = result;
}

/// <summary>
/// Opaque token → JWT through HybridCache. Key: SHA-256 of the token (the token itself is never a key or a log field).
/// Lifetime: min(JWT exp, introspection max-age, configured maximum); checked again on every hit, because HybridCache
/// takes the entry lifetime before the factory runs. HybridCache runs one factory per key at a time (single flight);
/// a failed or inactive introspection throws out of the factory, so only active tokens are stored.
/// With a Redis second level the same key and value are shared by the replicas: the deadline travels with the value (so
/// the per-hit check holds for entries another replica wrote), and the factory announces it to <see cref="RedisSecondLevel"/>
/// so that the Redis entry expires no later than the local rule.
/// </summary>
public sealed class PhantomTokenCache(HybridCache cache, IntrospectionClient introspection, GatewayOptions options, TimeProvider time,
    RedisSecondLevel? secondLevel = null)
{
    private const string KeyPrefix = "gatehouse:gateway:jwt:";

    private readonly HybridCacheEntryOptions _entryOptions = new()
    {
        Expiration = options.CacheMaximumLifetime,
        LocalCacheExpiration = options.CacheMaximumLifetime,
    };

    public static string KeyOf(string token) => KeyPrefix + TokenHash.Sha256(token);

    /// <exception cref="IntrospectionRejectedException">The token is inactive or the server could not be used.</exception>
    public async Task<CachedJwt> GetAsync(string token, CancellationToken ct)
    {
        var key = KeyOf(token);
        for (var attempt = 0; ; attempt++)
        {
            var entry = await cache.GetOrCreateAsync(key, (self: this, token, key), static (state, ct) => state.self.ExchangeAsync(state.token, state.key, ct),
                _entryOptions, cancellationToken: ct);
            if (time.GetUtcNow().ToUnixTimeMilliseconds() < entry.ValidUntilMs)
                return entry;
            // Expired in cache (JWT exp or max-age reached before the configured maximum): drop it and ask again once.
            await cache.RemoveAsync(key, ct);
            if (attempt > 0)
                throw new IntrospectionRejectedException(new IntrospectionResult(IntrospectionStatus.Inactive, null, null, "token expired"));
        }
    }

    private async ValueTask<CachedJwt> ExchangeAsync(string token, string key, CancellationToken ct)
    {
        var result = await introspection.IntrospectAsync(token, ct);
        if (result.Status != IntrospectionStatus.Active)
            throw new IntrospectionRejectedException(result);
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(result.Jwt);
        }
        catch (ArgumentException)
        {
            throw new IntrospectionRejectedException(IntrospectionResult.Failed("introspection answered 200 with a body that is not a JWT"));
        }
        var now = time.GetUtcNow();
        var validUntil = now + options.CacheMaximumLifetime;
        if (result.MaxAge is { } maxAge && now + maxAge < validUntil)
            validUntil = now + maxAge;
        if (!jwt.TryGetPayloadValue<long>("exp", out var exp))
            throw new IntrospectionRejectedException(IntrospectionResult.Failed("the JWT from introspection has no exp"));
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expiresAt < validUntil)
            validUntil = expiresAt;
        if (validUntil <= now)
            throw new IntrospectionRejectedException(new IntrospectionResult(IntrospectionStatus.Inactive, null, null, "the JWT from introspection has expired"));
        var scopes = jwt.TryGetPayloadValue<string>("scope", out var scope) && scope is not null
            ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : [];
        var validUntilMs = validUntil.ToUnixTimeMilliseconds();
        secondLevel?.Announce(key, validUntilMs);
        return new CachedJwt(result.Jwt!, validUntilMs, scopes);
    }
}
