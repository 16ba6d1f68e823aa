using Gatehouse.Protocol.Spiffe;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Workload.Ca;

namespace Gatehouse.Workload;

/// <summary>The workload CA's authorities in the Gatehouse store, private keys encrypted with the configured encryption key.</summary>
internal sealed class StoredWorkloadCaState(WorkloadCaStore store, KeyProtector protector) : IWorkloadCaStateStore
{
    public async Task<WorkloadCaState?> LoadAsync(TrustDomain trustDomain, CancellationToken cancellationToken)
    {
        if (await store.LoadAsync(trustDomain.Name, cancellationToken) is not { } stored)
            return null;
        return new WorkloadCaState(stored.Ca.Revision, (ulong)stored.Ca.BundleSequence, stored.Authorities.Select(a => new WorkloadAuthority(
            a.Id, Kind(a.Kind), Enum.Parse<WorkloadAuthorityState>(a.State, ignoreCase: true), a.PublicData,
            protector.Unprotect(a.ProtectedPrivateKey, AssociatedData(a.TrustDomain, a.Id)),
            DateTimeOffset.FromUnixTimeSeconds(a.NotBefore), DateTimeOffset.FromUnixTimeSeconds(a.NotAfter))).ToArray());
    }

    public Task<long> RevisionAsync(TrustDomain trustDomain, CancellationToken cancellationToken) =>
        store.RevisionAsync(trustDomain.Name, cancellationToken);

    public Task<bool> TrySaveAsync(TrustDomain trustDomain, long expectedRevision, ulong bundleSequence, IReadOnlyList<WorkloadAuthority> authorities,
        CancellationToken cancellationToken) =>
        store.TrySaveAsync(trustDomain.Name, expectedRevision, (long)bundleSequence, authorities.Select(a => new WorkloadAuthorityRecord
        {
            Id = a.Id,
            TrustDomain = trustDomain.Name,
            Kind = a.Kind switch { WorkloadAuthorityKind.Root => "root", WorkloadAuthorityKind.Intermediate => "intermediate", _ => "jwt" },
            State = a.State.ToString().ToLowerInvariant(),
            PublicData = a.PublicData,
            ProtectedPrivateKey = protector.Protect(a.PrivateKey, AssociatedData(trustDomain.Name, a.Id)),
            // Certificate validity has whole seconds (RFC 5280 §4.1.2.5); JWT keys are created with them too.
            NotBefore = a.NotBefore.ToUnixTimeSeconds(),
            NotAfter = a.NotAfter.ToUnixTimeSeconds(),
        }).ToArray(), cancellationToken);

    private static WorkloadAuthorityKind Kind(string kind) => kind switch
    {
        "root" => WorkloadAuthorityKind.Root,
        "intermediate" => WorkloadAuthorityKind.Intermediate,
        "jwt" => WorkloadAuthorityKind.JwtKey,
        _ => throw new InvalidDataException($"Unknown workload authority kind '{kind}' in the store."),
    };

    /// <summary>Binds a ciphertext to its row, so a private key copied to another authority does not decrypt.</summary>
    private static string AssociatedData(string trustDomain, string id) => $"workload-ca:{trustDomain}:{id}";
}
