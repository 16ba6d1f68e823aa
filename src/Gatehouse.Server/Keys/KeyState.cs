using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Keys;

public static class KeyState
{
    /// <summary>published (not yet signing), active (signing), retired (verifying only), or expired.</summary>
    public static string Of(SigningKeyRecord key, IReadOnlyList<SigningKeyRecord> all, long now) =>
        now >= key.ExpiresAt ? "expired"
        : key.ActivatesAt > now ? "published"
        : KeySchedule.Active(all, now)?.Kid == key.Kid ? "active"
        : "retired";
}
