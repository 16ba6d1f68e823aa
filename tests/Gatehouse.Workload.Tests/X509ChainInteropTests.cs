using Gatehouse.Protocol.Spiffe;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Workload.Tests;

/// <summary>An issued chain validates with .NET's own X509Chain, trusting only the roots parsed back from the bundle JSON.</summary>
public class X509ChainInteropTests : IDisposable
{
    private readonly TestPki _pki = new();

    private X509Chain ChainTrusting(SpiffeBundle bundle, IEnumerable<X509Certificate2> intermediates)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle.X509Authorities.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _pki.Clock.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(TestPki.ClientAuth);
        chain.ChainPolicy.ApplicationPolicy.Add(TestPki.ServerAuth);
        return chain;
    }

    [Fact]
    public void IssuedChain_BuildsToBundleRoot()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"), ["api"]);
        var bundle = SpiffeBundle.Parse(_pki.TrustDomain, _pki.Ca.Bundle.ToJson());
        using var chain = ChainTrusting(bundle, svid.Certificates.Skip(1));

        Assert.True(chain.Build(svid.Leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(3, chain.ChainElements.Count);
        Assert.Equal(_pki.Ca.CurrentRoot.Thumbprint, chain.ChainElements[2].Certificate.Thumbprint);
    }

    [Fact]
    public void IssuedChain_OtherTrustDomainsBundle_DoesNotBuild()
    {
        using var other = new TestPki("other.org");
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));
        using var chain = ChainTrusting(other.Ca.Bundle, svid.Certificates.Skip(1));

        Assert.False(chain.Build(svid.Leaf));
    }

    public void Dispose() => _pki.Dispose();
}
