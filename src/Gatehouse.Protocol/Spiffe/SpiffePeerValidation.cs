using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Spiffe;

/// <summary>
/// Validates the certificate a TLS peer presented as an X.509-SVID (X509-SVID §5) against the bundle of the peer's
/// own trust domain — never the system roots, never another domain's bundle — for use in SslStream's
/// RemoteCertificateValidationCallback. SslStream's own verdict (system trust, host name) is ignored on purpose:
/// SPIFFE authenticates the peer by its SPIFFE ID, not by a DNS name.
/// </summary>
public static class SpiffePeerValidation
{
    /// <summary>
    /// The peer's leaf plus the intermediates it sent (SslStream puts them in the chain's ExtraStore), validated
    /// with <paramref name="validator"/> against <paramref name="bundles"/>.
    /// </summary>
    public static X509SvidValidationResult Validate(X509Certificate? certificate, X509Chain? chain, SpiffeBundleSet bundles, X509SvidValidator validator)
    {
        if (certificate is null)
            return new(X509SvidError.NoCertificates);
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var presented = new List<X509Certificate2> { leaf };
        if (chain is not null)
            presented.AddRange(chain.ChainPolicy.ExtraStore.Where(c => c.Thumbprint != leaf.Thumbprint));
        return validator.Validate(presented, bundles);
    }
}
