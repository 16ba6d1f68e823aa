using Gatehouse.Protocol.Spiffe;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Tests;

/// <summary>X509-SVID.md §2, §3.1, §4.1, §4.3, §4.4, §5: a positive and a negative case per rule.</summary>
public class X509SvidValidatorTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly X509SvidValidator _validator;

    public X509SvidValidatorTests() => _validator = new X509SvidValidator(_pki.Clock);

    private X509SvidValidationResult Validate(X509Certificate2[] chain) => _validator.Validate(chain, _pki.Ca.Bundle);
    private X509SvidValidationResult Validate(TestPki.LeafSpec spec) => Validate(_pki.Leaf(spec));

    [Fact]
    public void IssuedSvid_IsValid_AndYieldsItsId()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/appointments"), ["appointments"]);

        var result = _validator.Validate(svid.Certificates, new SpiffeBundleSet(_pki.Ca.Bundle));

        Assert.Equal(X509SvidError.None, result.Error);
        Assert.Equal(_pki.Id("/appointments"), result.Id);
    }

    [Fact]
    public void ExactlyOneUriSan_One_Accepted() => Assert.True(Validate(new TestPki.LeafSpec()).IsValid);

    [Fact]
    public void ExactlyOneUriSan_Two_Rejected() =>
        Assert.Equal(X509SvidError.MultipleUriSans, Validate(new TestPki.LeafSpec { Uris = ["spiffe://example.org/api", "spiffe://example.org/admin"] }).Error);

    [Fact]
    public void ExactlyOneUriSan_SecondUriNotSpiffe_StillRejected() =>
        Assert.Equal(X509SvidError.MultipleUriSans, Validate(new TestPki.LeafSpec { Uris = ["spiffe://example.org/api", "https://example.org/"] }).Error);

    [Fact]
    public void ExactlyOneUriSan_None_Rejected() =>
        Assert.Equal(X509SvidError.NoUriSan, Validate(new TestPki.LeafSpec { Uris = [], DnsNames = ["api"] }).Error);

    [Fact]
    public void MalformedSan_Rejected()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=x", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension(SubjectAltNames.Oid, [0x30, 0x03, 0x86, 0x05, 0x61], false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var issuer = _pki.Ca.CurrentIntermediate;
        using var leaf = request.Create(issuer, _pki.Clock.GetUtcNow(), _pki.Clock.GetUtcNow().AddHours(1), [9]);

        Assert.Equal(X509SvidError.MalformedSubjectAltName, Validate([leaf, issuer]).Error);
    }

    [Fact]
    public void OtherSanTypes_Allowed() =>
        Assert.True(Validate(new TestPki.LeafSpec { DnsNames = ["api", "api.internal"] }).IsValid);

    [Fact]
    public void SchemeSpiffe_Required() =>
        Assert.Equal(X509SvidError.InvalidSpiffeId, Validate(new TestPki.LeafSpec { Uris = ["https://example.org/api"] }).Error);

    [Fact]
    public void SpiffeIdSyntax_Required() =>
        Assert.Equal(X509SvidError.InvalidSpiffeId, Validate(new TestPki.LeafSpec { Uris = ["spiffe://example.org/api/"] }).Error);

    [Fact]
    public void LeafIdNonRootPath_Required() =>
        Assert.Equal(X509SvidError.IdWithoutPath, Validate(new TestPki.LeafSpec { Uris = ["spiffe://example.org"] }).Error);

    [Fact]
    public void LeafCaFalse_CaTrue_Rejected() =>
        Assert.Equal(X509SvidError.LeafIsCa, Validate(new TestPki.LeafSpec { CertificateAuthority = true }).Error);

    [Fact]
    public void LeafCaFalse_NoBasicConstraints_MeansNotCa_Accepted() =>
        Assert.True(Validate(new TestPki.LeafSpec { CertificateAuthority = null }).IsValid);

    [Fact]
    public void KeyUsage_Missing_Rejected() =>
        Assert.Equal(X509SvidError.KeyUsageMissing, Validate(new TestPki.LeafSpec { KeyUsage = null }).Error);

    [Fact]
    public void KeyUsage_NotCritical_Rejected() =>
        Assert.Equal(X509SvidError.KeyUsageNotCritical, Validate(new TestPki.LeafSpec { KeyUsageCritical = false }).Error);

    [Fact]
    public void KeyCertSignOnLeaf_Rejected() =>
        Assert.Equal(X509SvidError.KeyCertSignOnLeaf,
            Validate(new TestPki.LeafSpec { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign }).Error);

    [Fact]
    public void CrlSignOnLeaf_Rejected() =>
        Assert.Equal(X509SvidError.CrlSignOnLeaf,
            Validate(new TestPki.LeafSpec { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.CrlSign }).Error);

    [Fact]
    public void DigitalSignature_Missing_Rejected() =>
        Assert.Equal(X509SvidError.DigitalSignatureMissing, Validate(new TestPki.LeafSpec { KeyUsage = X509KeyUsageFlags.KeyAgreement }).Error);

    [Fact]
    public void DigitalSignature_WithKeyAgreementAndKeyEncipherment_Accepted() =>
        Assert.True(Validate(new TestPki.LeafSpec
        {
            KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement | X509KeyUsageFlags.KeyEncipherment,
        }).IsValid);

    [Fact]
    public void Eku_ServerAuthOnly_Rejected() =>
        Assert.Equal(X509SvidError.ExtendedKeyUsageIncomplete, Validate(new TestPki.LeafSpec { Eku = [TestPki.ServerAuth] }).Error);

    [Fact]
    public void Eku_Absent_Accepted() => Assert.True(Validate(new TestPki.LeafSpec { Eku = null }).IsValid);

    [Fact]
    public void Expired_Rejected()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));
        var bundle = _pki.Ca.Bundle;
        _pki.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(X509SvidError.Expired, _validator.Validate(svid.Certificates, bundle).Error);
    }

    [Fact]
    public void NotYetValid_Rejected() =>
        Assert.Equal(X509SvidError.NotYetValid, Validate(new TestPki.LeafSpec { NotBeforeOffset = TimeSpan.FromMinutes(5) }).Error);

    [Fact]
    public void WrongTrustDomain_IdOutsideBundleTrustDomain_Rejected() =>
        Assert.Equal(X509SvidError.TrustDomainMismatch, Validate(new TestPki.LeafSpec { Uris = ["spiffe://other.org/api"] }).Error);

    [Fact]
    public void WrongTrustDomain_NoBundleInSet_Rejected()
    {
        using var other = new TestPki("other.org");
        using var svid = other.Ca.IssueX509Svid(other.Id("/api"));

        Assert.Equal(X509SvidError.TrustDomainMismatch, _validator.Validate(svid.Certificates, new SpiffeBundleSet(_pki.Ca.Bundle)).Error);
    }

    [Fact]
    public void ForeignBundle_OtherTrustDomainsRootCannotVouch_Rejected()
    {
        // other.org's CA signs an ID in example.org; example.org's bundle is in the set, but holds example.org's roots only.
        using var other = new TestPki("other.org");
        var forged = other.Leaf(new TestPki.LeafSpec { Uris = ["spiffe://example.org/api"] });
        var set = new SpiffeBundleSet(_pki.Ca.Bundle, other.Ca.Bundle);

        Assert.Equal(X509SvidError.UntrustedChain, _validator.Validate(forged, set).Error);
    }

    [Fact]
    public void Chain_MissingIntermediate_Rejected()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        Assert.Equal(X509SvidError.UntrustedChain, _validator.Validate([svid.Leaf], _pki.Ca.Bundle).Error);
    }

    [Fact]
    public void Chain_BundleWithoutX509Authorities_Rejected()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));
        var jwtOnly = new SpiffeBundle(_pki.TrustDomain, jwtAuthorities: _pki.Ca.Bundle.JwtAuthorities.Values);

        Assert.Equal(X509SvidError.UntrustedChain, _validator.Validate(svid.Certificates, jwtOnly).Error);
    }

    [Fact]
    public void LeafUsedAsSigner_Rejected()
    {
        // A valid leaf SVID signs another "leaf": path validation must refuse a cA=false issuer.
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));
        var forged = SignedBy(svid.Leaf.SubjectName, svid.PrivateKey, "spiffe://example.org/admin", _pki.Clock.GetUtcNow(), TimeSpan.FromMinutes(30));

        // Caught first because the signing leaf carries a path ID (§3.2) …
        Assert.Equal(X509SvidError.SigningCertificateIdWithPath, Validate([forged, svid.Leaf, svid.Certificates[1]]).Error);
        // … and path validation alone refuses it too, since the issuer has cA=false (§4.1).
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_pki.Ca.Bundle.X509Authorities.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(new[] { svid.Leaf, svid.Certificates[1] });
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _pki.Clock.GetUtcNow().UtcDateTime;
        Assert.False(chain.Build(forged));
    }

    [Fact]
    public void SigningCertificate_IdWithPath_Rejected()
    {
        using var intermediate = Intermediate(X509KeyUsageFlags.KeyCertSign, "spiffe://example.org/ca");

        Assert.Equal(X509SvidError.SigningCertificateIdWithPath, Validate(_pki.Leaf(new TestPki.LeafSpec(), intermediate)).Error);
    }

    [Fact]
    public void SigningCertificate_KeyCertSign_Accepted()
    {
        using var intermediate = Intermediate(X509KeyUsageFlags.KeyCertSign, "spiffe://example.org");

        Assert.True(Validate(_pki.Leaf(new TestPki.LeafSpec(), intermediate)).IsValid);
    }

    [Fact]
    public void SigningCertificate_WithoutKeyCertSign_Rejected()
    {
        // §4.3: signing certificates MUST set keyCertSign; a cA=true certificate without it cannot vouch for a leaf.
        using var intermediate = Intermediate(X509KeyUsageFlags.DigitalSignature, "spiffe://example.org");
        // CertificateRequest refuses such an issuer, so sign with its key directly.
        var leaf = SignedBy(intermediate.SubjectName, intermediate.GetECDsaPrivateKey()!, "spiffe://example.org/api", _pki.Clock.GetUtcNow(), TimeSpan.FromMinutes(30));

        Assert.Equal(X509SvidError.UntrustedChain, Validate([leaf, intermediate]).Error);
    }

    /// <summary>An intermediate (cA=true) under the current root with the given key usage and URI SAN.</summary>
    private X509Certificate2 Intermediate(X509KeyUsageFlags usage, string uri)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test intermediate", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(SubjectAltNames.Encode([uri], [], false));
        using var intermediate = request.Create(_pki.Ca.CurrentRoot, _pki.Clock.GetUtcNow(), _pki.Clock.GetUtcNow().AddHours(2), [7]);
        return intermediate.CopyWithPrivateKey(key);
    }

    [Fact]
    public void ExpiredIntermediate_Rejected()
    {
        // An intermediate that expired while the leaf claims to be valid (only a forger can produce this).
        var intermediate = _pki.Ca.CurrentIntermediate;
        _pki.Clock.Advance(TimeSpan.FromHours(25));
        var leaf = SignedBy(intermediate.SubjectName, intermediate.GetECDsaPrivateKey()!, "spiffe://example.org/api", _pki.Clock.GetUtcNow(), TimeSpan.FromMinutes(30));

        Assert.Equal(X509SvidError.Expired, _validator.Validate([leaf, intermediate], new SpiffeBundle(_pki.TrustDomain, [_pki.Ca.Bundle.X509Authorities[0]])).Error);
    }

    private static X509Certificate2 SignedBy(X500DistinguishedName issuer, System.Security.Cryptography.ECDsa issuerKey, string uri, DateTimeOffset notBefore, TimeSpan lifetime)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=forged", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectAltNames.Encode([uri], [], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        return request.Create(issuer, X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notBefore + lifetime, [5, 6]);
    }

    [Fact]
    public void NoCertificates_Rejected() => Assert.Equal(X509SvidError.NoCertificates, Validate([]).Error);

    public void Dispose() => _pki.Dispose();
}
