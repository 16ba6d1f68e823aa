using System.Text.Json;
using Gatehouse.Protocol.Jose;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Keys;

/// <summary>Creates, rotates, expires and (re)loads signing keys: the only writer of the signing_keys table.</summary>
public sealed class KeyManager(
    SigningKeyStore store, SigningKeyRing ring, KeyProtector protector, KeySchedule schedule,
    GatehouseOptions options, TimeProvider time, ILogger<KeyManager> logger)
{
    // Serialises this process's writers (the rotation timer, the admin API), so they do not both create a key.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Applies scheduled rotation, removes expired keys and reloads the ring from the store.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await RefreshLockedAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RefreshLockedAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var keys = await store.ListAsync(ct);
        if (schedule.NextKeyToCreate(keys, now) is { } activatesAt && await TryCreateAsync(keys, activatesAt, ct) is { } key)
            logger.LogInformation("Signing key {Kid} ({Algorithm}) created; signs from {ActivatesAt:u}.", key.Kid, key.Algorithm, DateTimeOffset.FromUnixTimeSeconds(key.ActivatesAt));
        var removed = await store.DeleteExpiredAsync(now, ct);
        if (removed > 0)
            logger.LogInformation("Removed {Count} expired signing key(s).", removed);
        ring.Load((await store.ListAsync(ct)).Where(k => k.ExpiresAt > now).ToList());
    }

    /// <summary>
    /// Rotates ahead of schedule. By default the new key is published now and signs after Keys:PublishAhead,
    /// so verifiers have time to fetch it; <paramref name="immediately"/> (for a compromised key) makes it sign at once.
    /// </summary>
    public async Task<SigningKeyRecord> RotateAsync(bool immediately, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await RotateLockedAsync(immediately, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SigningKeyRecord> RotateLockedAsync(bool immediately, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var keys = await store.ListAsync(ct);
        var activatesAt = immediately ? now : now + schedule.PublishAheadSeconds;
        var next = KeySchedule.Pending(keys, now);
        if (next is not null)
        {
            activatesAt = Math.Min(activatesAt, next.ActivatesAt);
            await store.RescheduleAsync(next.Kid, activatesAt, activatesAt + schedule.RotationSeconds, schedule.ExpiryAfterRetirement(activatesAt + schedule.RotationSeconds), ct);
        }
        else
        {
            // Lost a race with another replica creating the next key: bring that one forward instead.
            next = await TryCreateAsync(keys, activatesAt, ct) ?? await RescheduleNewestAsync(activatesAt, ct);
        }
        if (KeySchedule.Active(keys, now) is { } active)
            await store.RescheduleAsync(active.Kid, active.ActivatesAt, activatesAt, schedule.ExpiryAfterRetirement(activatesAt), ct);
        await RefreshLockedAsync(ct);
        return (await store.ListAsync(ct)).Single(k => k.Kid == next.Kid);
    }

    public Task<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken ct) => store.ListAsync(ct);

    private async Task<SigningKeyRecord> RescheduleNewestAsync(long activatesAt, CancellationToken ct)
    {
        var newest = (await store.ListAsync(ct)).MaxBy(k => k.Generation)!;
        await store.RescheduleAsync(newest.Kid, activatesAt, activatesAt + schedule.RotationSeconds, schedule.ExpiryAfterRetirement(activatesAt + schedule.RotationSeconds), ct);
        return newest;
    }

    /// <summary>Creates the key of the next generation; null when another process created that generation first.</summary>
    private async Task<SigningKeyRecord?> TryCreateAsync(IReadOnlyList<SigningKeyRecord> known, long activatesAt, CancellationToken ct)
    {
        var algorithm = options.Keys.Algorithm;
        var pkcs8 = SigningAlgorithms.CreatePrivateKey(algorithm);
        var publicKey = SigningAlgorithms.LoadKey(algorithm, pkcs8, kid: "", publicOnly: true);
        var jwk = JsonWebKeyConverter.ConvertFromSecurityKey(publicKey);
        // RFC 7638 thumbprint as kid: stable, derived from the key, and reveals nothing else.
        var kid = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        var retiresAt = activatesAt + schedule.RotationSeconds;
        var record = new SigningKeyRecord
        {
            Kid = kid,
            Generation = known.Select(k => k.Generation).DefaultIfEmpty(0).Max() + 1,
            Algorithm = algorithm,
            ProtectedPrivateKey = protector.Protect(pkcs8, kid),
            PublicJwk = PublicJwkJson(jwk, kid, algorithm),
            CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
            ActivatesAt = activatesAt,
            RetiresAt = retiresAt,
            ExpiresAt = schedule.ExpiryAfterRetirement(retiresAt),
        };
        try
        {
            await store.AddAsync(record, ct);
        }
        catch (DbUpdateException)
        {
            if (!(await store.ListAsync(ct)).Any(k => k.Generation == record.Generation && k.Kid != record.Kid))
                throw;
            logger.LogInformation("Another process created signing key generation {Generation} first; using that one.", record.Generation);
            return null;
        }
        return record;
    }

    private static string PublicJwkJson(JsonWebKey jwk, string kid, string algorithm) =>
        JsonSerializer.Serialize(PublicJwk.Members(jwk, kid, algorithm));
}
