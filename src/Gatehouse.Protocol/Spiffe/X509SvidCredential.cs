using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Spiffe;

/// <summary>
/// A workload's own X.509-SVID as TLS needs it: the leaf with its private key and the intermediates to send with it
/// (the roots are in the peer's bundle, X509-SVID §5.1). Immutable; a source replaces the whole object on rotation.
/// </summary>
public sealed class X509SvidCredential
{
    private readonly Lazy<SslStreamCertificateContext> _tlsContext;

    public X509SvidCredential(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> intermediates)
    {
        if (!certificate.HasPrivateKey)
            throw new ArgumentException("The SVID certificate needs its private key.", nameof(certificate));
        var uris = SubjectAltNames.Read(certificate).Uris;
        if (uris.Count != 1 || !SpiffeId.TryParse(uris[0], out var id) || id!.IsTrustDomainId)
            throw new ArgumentException("An X.509-SVID has exactly one URI SAN, a workload SPIFFE ID (X509-SVID §2, §3.1).", nameof(certificate));
        Id = id;
        Certificate = certificate;
        Intermediates = intermediates;
        // offline: never fetch missing intermediates; the chain to send is exactly leaf + ours.
        _tlsContext = new(() => SslStreamCertificateContext.Create(certificate, [.. intermediates], offline: true));
    }

    public SpiffeId Id { get; }

    /// <summary>The leaf, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The certificate and its intermediates for SslStream, built once per SVID.</summary>
    public SslStreamCertificateContext TlsContext => _tlsContext.Value;

    /// <summary>From the Workload API's form: concatenated DER certificates (leaf first) and a PKCS#8 key (SPIFFE_Workload_API §5.3).</summary>
    public static X509SvidCredential FromPkcs8(IReadOnlyList<X509Certificate2> chain, ReadOnlySpan<byte> pkcs8PrivateKey)
    {
        if (chain.Count == 0)
            throw new ArgumentException("An X.509-SVID has at least its leaf certificate.", nameof(chain));
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8PrivateKey, out _);
        return new X509SvidCredential(chain[0].CopyWithPrivateKey(key), chain.Skip(1).ToArray());
    }

    /// <summary>From PEM files as the SVID helper writes them: the chain (leaf first) and a PKCS#8 key.</summary>
    public static X509SvidCredential FromPem(string chainPem, string privateKeyPem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        if (chain.Count == 0)
            throw new ArgumentException("No certificate in the SVID PEM.", nameof(chainPem));
        var leaf = X509Certificate2.CreateFromPem(chainPem, privateKeyPem); // throws when the key is not the leaf's
        return new X509SvidCredential(leaf, chain.Skip(1).ToArray());
    }
}
