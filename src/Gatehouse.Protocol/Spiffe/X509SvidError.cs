namespace Gatehouse.Protocol.Spiffe;

/// <summary>Why a peer's X.509-SVID was rejected; each value is one rule of X509-SVID.md.</summary>
public enum X509SvidError
{
    None,
    /// <summary>No certificate was presented.</summary>
    NoCertificates,
    /// <summary>The subjectAltName extension is not valid DER.</summary>
    MalformedSubjectAltName,
    /// <summary>§2: the leaf has no URI SAN.</summary>
    NoUriSan,
    /// <summary>§2, §5.2: more than one URI SAN MUST be rejected.</summary>
    MultipleUriSans,
    /// <summary>§5.2: the URI SAN is not a valid SPIFFE ID (scheme spiffe, SPIFFE-ID rules).</summary>
    InvalidSpiffeId,
    /// <summary>§3.1, §5.2: a leaf SPIFFE ID MUST have a non-root path.</summary>
    IdWithoutPath,
    /// <summary>§4.1, §5.2: the leaf MUST have cA=false.</summary>
    LeafIsCa,
    /// <summary>§4.3: the key usage extension MUST be present and critical.</summary>
    KeyUsageMissing,
    /// <summary>§4.3: the key usage extension MUST be marked critical.</summary>
    KeyUsageNotCritical,
    /// <summary>§4.3, §5.2: a leaf MUST NOT set keyCertSign.</summary>
    KeyCertSignOnLeaf,
    /// <summary>§4.3, §5.2: a leaf MUST NOT set cRLSign.</summary>
    CrlSignOnLeaf,
    /// <summary>§4.3: a leaf MUST set digitalSignature.</summary>
    DigitalSignatureMissing,
    /// <summary>§4.4: when the EKU extension is present, serverAuth and clientAuth MUST be set.</summary>
    ExtendedKeyUsageIncomplete,
    /// <summary>The ID's trust domain is not the bundle's, or no bundle is known for it.</summary>
    TrustDomainMismatch,
    /// <summary>§3.2: a signing certificate's SPIFFE ID, if present, MUST NOT have a path.</summary>
    SigningCertificateIdWithPath,
    /// <summary>The leaf is not yet valid.</summary>
    NotYetValid,
    /// <summary>The leaf (or a certificate of its chain) has expired.</summary>
    Expired,
    /// <summary>§5.1: RFC 5280 path validation to the bundle's X.509 authorities failed.</summary>
    UntrustedChain,
}
