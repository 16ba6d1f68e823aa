using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.X509;

/// <summary>
/// Builds the certificates of a trust domain: a self-signed root, intermediate signing CAs and leaf X.509-SVIDs,
/// each with the extensions X509-SVID §4 requires. All keys are ECDSA P-256.
/// </summary>
public static class CertificateFactory
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A self-signed root: cA=true, keyCertSign+cRLSign (critical), the trust domain's SPIFFE ID as URI SAN.</summary>
    public static X509Certificate2 CreateRoot(TrustDomain trustDomain, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = SigningRequest(trustDomain, key, "root", pathLength: null);
        return request.CreateSelfSigned(notBefore, notAfter); // carries its own copy of the private key
    }

    /// <summary>An intermediate signing CA (pathLen 0) under <paramref name="issuer"/>, never outliving it.</summary>
    public static X509Certificate2 CreateIntermediate(TrustDomain trustDomain, X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = SigningRequest(trustDomain, key, "intermediate", pathLength: 0);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var certificate = request.Create(issuer, Clamp(notBefore, issuer), Min(notAfter, issuer.NotAfter), NewSerial());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A leaf X.509-SVID (X509-SVID §3.1, §4): exactly one URI SAN, cA=false, keyUsage digitalSignature (critical),
    /// EKU serverAuth+clientAuth. With DNS names the first is also the CN; without, the subject is empty and the
    /// SAN extension critical (RFC 5280 §4.1.2.6).
    /// </summary>
    public static X509Certificate2 CreateLeaf(SpiffeId id, IReadOnlyList<string> dnsNames, PublicKey key, X509Certificate2 issuer,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (id.IsTrustDomainId)
            throw new ArgumentException("Leaf SVID SPIFFE IDs must have a non-root path (X509-SVID §3.1).", nameof(id));
        foreach (var name in dnsNames)
        {
            if (Uri.CheckHostName(name) != UriHostNameType.Dns)
                throw new ArgumentException($"'{name}' is not a DNS name.", nameof(dnsNames));
        }
        var subject = dnsNames.Count > 0 ? new X500DistinguishedNameBuilder() : null;
        subject?.AddCommonName(dnsNames[0]);
        var request = new CertificateRequest(subject?.Build() ?? new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectAltNames.Encode([id.ToString()], dnsNames, critical: subject is null));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        return request.Create(issuer, Clamp(notBefore, issuer), Min(notAfter, issuer.NotAfter), NewSerial());
    }

    private static CertificateRequest SigningRequest(TrustDomain trustDomain, ECDsa key, string role, int? pathLength)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddOrganizationName(trustDomain.Name);
        // A unique CN per generation keeps rotated CAs apart in tools that index by subject.
        name.AddCommonName($"Gatehouse workload {role} {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength.HasValue, pathLength ?? 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(SubjectAltNames.Encode([trustDomain.Id.ToString()], [], critical: false));
        return request;
    }

    /// <summary>A positive 128-bit serial (RFC 5280 §4.1.2.2 allows up to 20 octets).</summary>
    internal static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }

    private static DateTimeOffset Clamp(DateTimeOffset notBefore, X509Certificate2 issuer)
    {
        var issuerNotBefore = new DateTimeOffset(issuer.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        return notBefore < issuerNotBefore ? issuerNotBefore : notBefore;
    }

    private static DateTimeOffset Min(DateTimeOffset notAfter, DateTime issuerNotAfter)
    {
        var cap = new DateTimeOffset(issuerNotAfter.ToUniversalTime(), TimeSpan.Zero);
        return notAfter > cap ? cap : notAfter;
    }
}
