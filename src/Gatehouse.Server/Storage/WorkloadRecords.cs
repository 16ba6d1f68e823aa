namespace Gatehouse.Server.Storage;

// The workload identity (SPIFFE) tables. The server project knows nothing of SPIFFE types: values are plain strings
// and bytes; Gatehouse.Workload gives them meaning and the executable adapts one to the other. Times are Unix seconds.

/// <summary>A registration entry: a caller showing all these selectors gets this SPIFFE ID.</summary>
public sealed class WorkloadEntryRecord
{
    public required string Id { get; set; }
    public required string SpiffeId { get; set; }
    /// <summary>Selectors as written, e.g. <c>unix:uid:1000</c>.</summary>
    public required string[] Selectors { get; set; }
    public required string[] DnsNames { get; set; }
    /// <summary>Lifetimes in seconds; null for the issuer's default.</summary>
    public int? X509SvidTtl { get; set; }
    public int? JwtSvidTtl { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>
/// One trust domain's workload CA. <see cref="Revision"/> grows with every saved change, so that several servers
/// sharing the store save a rotation only on top of the state they loaded (optimistic concurrency).
/// </summary>
public sealed class WorkloadCaRecord
{
    public required string TrustDomain { get; set; }
    public long Revision { get; set; }
    public long BundleSequence { get; set; }
}

/// <summary>A root, an intermediate or a JWT signing key of a workload CA.</summary>
public sealed class WorkloadAuthorityRecord
{
    public required string Id { get; set; }
    public required string TrustDomain { get; set; }
    /// <summary><c>root</c>, <c>intermediate</c> or <c>jwt</c>.</summary>
    public required string Kind { get; set; }
    /// <summary><c>prepared</c>, <c>active</c> or <c>retired</c>.</summary>
    public required string State { get; set; }
    /// <summary>The certificate (DER) of a root or intermediate; the SubjectPublicKeyInfo (DER) of a JWT key.</summary>
    public required byte[] PublicData { get; set; }
    /// <summary>The PKCS#8 private key encrypted with the configured encryption key (the id as associated data).</summary>
    public required byte[] ProtectedPrivateKey { get; set; }
    public long NotBefore { get; set; }
    public long NotAfter { get; set; }
}

/// <summary>A single-use join token an agent redeems for its first agent SVID. Only the token's SHA-256 is stored.</summary>
public sealed class WorkloadJoinTokenRecord
{
    public required string Hash { get; set; }
    /// <summary>The public id, part of the agent's SPIFFE ID; not a secret.</summary>
    public required string Id { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
    public long? UsedAt { get; set; }
}
