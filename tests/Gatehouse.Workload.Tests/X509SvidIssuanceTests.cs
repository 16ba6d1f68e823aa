using Gatehouse.Protocol.Spiffe;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Tests;

/// <summary>X509-SVID.md §2–4 on what the CA issues.</summary>
public class X509SvidIssuanceTests : IDisposable
{
    private readonly TestPki _pki = new();

    [Fact]
    public void Leaf_HasExactlyOneUriSan_TheSpiffeId()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"), ["api.internal", "api"]);

        var (uris, dns, _) = SubjectAltNames.Read(svid.Leaf);
        Assert.Equal(["spiffe://example.org/api"], uris);
        Assert.Equal(["api.internal", "api"], dns);
    }

    [Fact]
    public void Leaf_WithDnsNames_FirstDnsNameIsCommonName_SanNotCritical()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/db-client"), ["appointments", "appointments.svc"]);

        Assert.Equal("appointments", svid.Leaf.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal("CN=appointments", svid.Leaf.Subject);
        Assert.False(svid.Leaf.Extensions[SubjectAltNames.Oid]!.Critical);
    }

    [Fact]
    public void Leaf_WithoutSubject_SanIsCritical()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        Assert.Equal("", svid.Leaf.Subject);
        Assert.True(svid.Leaf.Extensions[SubjectAltNames.Oid]!.Critical);
    }

    [Fact]
    public void Leaf_BasicConstraints_CaFalse()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        var bc = Assert.Single(svid.Leaf.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.False(bc.CertificateAuthority);
    }

    [Fact]
    public void Leaf_KeyUsage_CriticalDigitalSignatureOnly()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        var ku = Assert.Single(svid.Leaf.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(ku.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, ku.KeyUsages);
    }

    [Fact]
    public void Leaf_ExtendedKeyUsage_ServerAuthAndClientAuth()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        var eku = Assert.Single(svid.Leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).Order());
    }

    [Fact]
    public void Leaf_KeyIsEcdsaP256_AndMatchesPrivateKey()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        using var pub = svid.Leaf.GetECDsaPublicKey()!;
        Assert.Equal(256, pub.KeySize);
        Assert.Equal("1.2.840.10045.3.1.7", pub.ExportParameters(false).Curve.Oid.Value);
        var data = "proof"u8.ToArray();
        Assert.True(pub.VerifyData(data, svid.PrivateKey.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Leaf_DefaultLifetime_OneHour()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        Assert.Equal(TestPki.Start, svid.Leaf.NotBefore.ToUniversalTime());
        Assert.Equal(TestPki.Start.AddHours(1), svid.NotAfter);
    }

    [Fact]
    public void Leaf_NeverOutlivesSigningCa()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"), ttl: TimeSpan.FromDays(365));

        Assert.Equal(_pki.Ca.CurrentIntermediate.NotAfter, svid.Leaf.NotAfter);
        Assert.True(svid.NotAfter <= TestPki.Start.AddHours(24));
    }

    [Fact]
    public void Chain_IsLeafThenIntermediate_SignedByIt()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        Assert.Equal(2, svid.Certificates.Count);
        Assert.Equal(_pki.Ca.CurrentIntermediate.Thumbprint, svid.Certificates[1].Thumbprint);
        Assert.Equal(svid.Certificates[1].SubjectName.RawData, svid.Leaf.IssuerName.RawData);
    }

    [Fact]
    public void SigningCertificates_AreCaWithKeyCertSign_AndTrustDomainIdWithoutPath()
    {
        foreach (var ca in new[] { _pki.Ca.CurrentRoot, _pki.Ca.CurrentIntermediate })
        {
            Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
            var ku = ca.Extensions.OfType<X509KeyUsageExtension>().Single();
            Assert.True(ku.Critical);
            Assert.True(ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
            Assert.False(ku.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature));
            Assert.Equal(["spiffe://example.org"], SubjectAltNames.Read(ca).Uris);
        }
    }

    [Fact]
    public void Leaf_TrustDomainIdWithoutPath_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => _pki.Ca.IssueX509Svid(_pki.TrustDomain.Id));
    }

    [Fact]
    public void Leaf_ForeignTrustDomain_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => _pki.Ca.IssueX509Svid(Gatehouse.Protocol.Spiffe.SpiffeId.Parse("spiffe://other.org/api")));
    }

    [Fact]
    public void UpstreamCa_SignsIntermediates_AndIsTheBundleAuthority()
    {
        var td = Gatehouse.Protocol.Spiffe.TrustDomain.Parse("example.org");
        using var upstream = CertificateFactory.CreateRoot(td, TestPki.Start.AddDays(-1), TestPki.Start.AddDays(365));
        using var pki = new TestPki(options: new WorkloadCaOptions { TrustDomain = td, UpstreamCa = upstream });

        Assert.Equal(upstream.SubjectName.RawData, pki.Ca.CurrentIntermediate.IssuerName.RawData);
        Assert.Equal(upstream.Thumbprint, Assert.Single(pki.Ca.Bundle.X509Authorities).Thumbprint);
        using var svid = pki.Ca.IssueX509Svid(pki.Id("/api"));
        Assert.True(new X509SvidValidator(pki.Clock).Validate(svid.Certificates, pki.Ca.Bundle).IsValid);
    }

    public void Dispose() => _pki.Dispose();
}
