using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Ca;

public enum WorkloadAuthorityKind { Root, Intermediate, JwtKey }

/// <summary>Where an authority is in its rotation: published ahead (prepared), signing (active), or published until it expires (retired).</summary>
public enum WorkloadAuthorityState { Prepared, Active, Retired }

/// <summary>
/// One authority of a workload CA as stored: <paramref name="PublicData"/> is a certificate (DER) for roots and
/// intermediates and a SubjectPublicKeyInfo (DER) for JWT keys; <paramref name="PrivateKey"/> is PKCS#8, which the
/// store must encrypt at rest.
/// </summary>
public sealed record WorkloadAuthority(string Id, WorkloadAuthorityKind Kind, WorkloadAuthorityState State,
    byte[] PublicData, byte[] PrivateKey, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>A workload CA's authorities and bundle sequence at a store revision.</summary>
public sealed record WorkloadCaState(long Revision, ulong BundleSequence, IReadOnlyList<WorkloadAuthority> Authorities);

/// <summary>
/// Persists a workload CA, so that a restarted server keeps its roots and keys and several servers share one CA.
/// Saves are optimistic: a save succeeds only on top of the revision the caller last loaded or saved.
/// </summary>
public interface IWorkloadCaStateStore
{
    /// <summary>The stored state, or null when this trust domain has none yet.</summary>
    Task<WorkloadCaState?> LoadAsync(TrustDomain trustDomain, CancellationToken cancellationToken);

    /// <summary>The stored revision (0 when none): a cheap check whether another server saved.</summary>
    Task<long> RevisionAsync(TrustDomain trustDomain, CancellationToken cancellationToken);

    /// <summary>Stores the authorities as revision <paramref name="expectedRevision"/> + 1; false when the stored revision differs.</summary>
    Task<bool> TrySaveAsync(TrustDomain trustDomain, long expectedRevision, ulong bundleSequence, IReadOnlyList<WorkloadAuthority> authorities,
        CancellationToken cancellationToken);
}
