using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Tests;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>
/// Certificates a peer may present in a handshake, each breaking one MUST of X509-SVID.md (or of the bundle rules),
/// plus the valid one as the positive control. Built with the test PKI so that only the named rule is broken.
/// </summary>
public static class SvidCases
{
    public const string Valid = "valid";

    /// <summary>Each broken certificate and the rule the validator must name for it.</summary>
    public static TheoryData<string, X509SvidError> Invalid => new()
    {
        { "two-uri-sans", X509SvidError.MultipleUriSans },                  // §2, §5.2: exactly one URI SAN
        { "uri-san-not-spiffe", X509SvidError.InvalidSpiffeId },            // §2: the URI SAN is a SPIFFE ID
        { "trust-domain-id-on-leaf", X509SvidError.IdWithoutPath },         // §3.1: a leaf ID has a path
        { "ca-leaf", X509SvidError.LeafIsCa },                              // §4.1: leaf cA=false
        { "key-cert-sign-on-leaf", X509SvidError.KeyCertSignOnLeaf },       // §4.3
        { "crl-sign-on-leaf", X509SvidError.CrlSignOnLeaf },                // §4.3
        { "no-digital-signature", X509SvidError.DigitalSignatureMissing },  // §4.3
        { "expired", X509SvidError.Expired },                               // §5.1: validated at the current time
        { "not-yet-valid", X509SvidError.NotYetValid },
        { "wrong-trust-domain", X509SvidError.TrustDomainMismatch },        // no bundle for the peer's domain
        { "foreign-ca-same-trust-domain", X509SvidError.UntrustedChain },   // Trust Domain and Bundle §6.4
        { "missing-intermediate", X509SvidError.UntrustedChain },           // §5.1: the chain must reach a bundle root
    };

    /// <summary>The leaf (with key) and the intermediates to send for <paramref name="name"/>, claiming <paramref name="spiffeId"/>.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2[] Intermediates) Build(string name, TestPki pki, string spiffeId)
    {
        var spec = new TestPki.LeafSpec { Uris = [spiffeId] };
        using var other = name switch
        {
            "wrong-trust-domain" => Now("other.org"),
            "foreign-ca-same-trust-domain" => Now(pki.TrustDomain.Name),
            _ => null,
        };
        var issuer = (other ?? pki).Ca.CurrentIntermediate;
        switch (name)
        {
            case Valid: break;
            case "two-uri-sans": spec = spec with { Uris = [spiffeId, "spiffe://example.org/other"] }; break;
            case "uri-san-not-spiffe": spec = spec with { Uris = [spiffeId.Replace("spiffe://", "https://")] }; break;
            case "trust-domain-id-on-leaf": spec = spec with { Uris = ["spiffe://example.org"] }; break;
            case "ca-leaf": spec = spec with { CertificateAuthority = true }; break;
            case "key-cert-sign-on-leaf": spec = spec with { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign }; break;
            case "crl-sign-on-leaf": spec = spec with { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.CrlSign }; break;
            // nonRepudiation keeps the key usable as ECDSA in .NET, so the handshake reaches the rule under test
            case "no-digital-signature": spec = spec with { KeyUsage = X509KeyUsageFlags.NonRepudiation }; break;
            case "expired": spec = spec with { NotBeforeOffset = TimeSpan.FromMinutes(-90), Lifetime = TimeSpan.FromHours(1) }; break;
            case "not-yet-valid": spec = spec with { NotBeforeOffset = TimeSpan.FromHours(1) }; break;
            case "wrong-trust-domain": spec = spec with { Uris = [spiffeId.Replace("example.org", "other.org")] }; break;
            case "foreign-ca-same-trust-domain": break; // same ID, signed under another root
            case "missing-intermediate": return (pki.LeafWithKey(spec, issuer), []);
            default: throw new ArgumentException(name);
        }
        // Public copies: the other PKI (and its CA certificates) are disposed on return.
        return (pki.LeafWithKey(spec, issuer), [X509CertificateLoader.LoadCertificate(issuer.RawData)]);
    }

    /// <summary>
    /// A PKI for real handshakes: its fake clock reads the current time, but its CA was created two hours earlier so
    /// that already-expired leaves can still be issued under it.
    /// </summary>
    public static TestPki Now(string trustDomain = "example.org")
    {
        var pki = new TestPki(trustDomain, start: DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        _ = pki.Ca.CurrentIntermediate;
        pki.Clock.Advance(TimeSpan.FromHours(2));
        return pki;
    }

    /// <summary>A client that presents exactly the given certificates and trusts any server: the server alone decides.</summary>
    public static HttpClient ClientPresenting(X509Certificate2? leaf, params X509Certificate2[] intermediates) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificateContext = leaf is null ? null : SslStreamCertificateContext.Create(leaf, [.. intermediates], offline: true),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        },
    }) { Timeout = TimeSpan.FromSeconds(30) };
}
