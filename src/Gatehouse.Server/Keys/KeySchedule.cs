using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Keys;

/// <summary>
/// When keys start signing, stop signing and disappear. Pure functions of the key list and the time, so the
/// rotation rules can be tested without a clock or a store.
/// </summary>
public sealed class KeySchedule(KeyOptions keys, TimeSpan longestTokenLifetime)
{
    /// <summary>
    /// A key stays published after it stops signing until every token it signed has expired,
    /// plus a margin for clock skew at the verifiers.
    /// </summary>
    public long ExpiryAfterRetirement(long retiresAt) =>
        retiresAt + (long)(longestTokenLifetime + TimeSpan.FromMinutes(5)).TotalSeconds;

    public long RotationSeconds => (long)keys.RotationPeriod.TotalSeconds;
    public long PublishAheadSeconds => (long)keys.PublishAhead.TotalSeconds;

    /// <summary>The key that signs at <paramref name="now"/>: the latest one already active and not yet retired.</summary>
    public static SigningKeyRecord? Active(IEnumerable<SigningKeyRecord> keys, long now) =>
        keys.Where(k => k.ActivatesAt <= now && now < k.RetiresAt).MaxBy(k => k.ActivatesAt);

    public static SigningKeyRecord? Pending(IEnumerable<SigningKeyRecord> keys, long now) =>
        keys.Where(k => k.ActivatesAt > now).MinBy(k => k.ActivatesAt);

    /// <summary>What scheduled rotation must do now: the activation time of a key to create, or null.</summary>
    public long? NextKeyToCreate(IReadOnlyList<SigningKeyRecord> current, long now)
    {
        var active = Active(current, now);
        if (active is null)
            return now; // first start, or every key retired while no process ran: sign at once.
        if (Pending(current, now) is not null)
            return null;
        return active.RetiresAt - now <= PublishAheadSeconds ? active.RetiresAt : null;
    }
}
