using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Tests;

/// <summary>The in-memory CA on a fake clock: rotation at ½ and ⅚, bundle contents and sequence.</summary>
public class WorkloadCaManagerTests : IDisposable
{
    private readonly TestPki _pki = new(); // root 30 d, intermediate 24 h, JWT key 24 h

    [Fact]
    public void Initially_BundleHasOneRootOneJwtKey_Sequence1()
    {
        var bundle = _pki.Ca.Bundle;

        Assert.Single(bundle.X509Authorities);
        Assert.Single(bundle.JwtAuthorities);
        Assert.Equal(1UL, bundle.SequenceNumber);
        Assert.Equal(TimeSpan.FromMinutes(5), bundle.RefreshHint);
    }

    [Fact]
    public void BeforeHalfLife_NothingChanges()
    {
        var intermediate = _pki.Ca.CurrentIntermediate;
        _pki.Clock.Advance(TimeSpan.FromHours(11));

        Assert.Same(intermediate, _pki.Ca.CurrentIntermediate);
        Assert.Equal(1UL, _pki.Ca.Bundle.SequenceNumber);
    }

    [Fact]
    public void AtHalfLife_NextJwtKeyPublished_ButNotSigning()
    {
        var kid = _pki.Ca.CurrentJwtKeyId;
        _pki.Clock.Advance(TimeSpan.FromHours(12));

        var bundle = _pki.Ca.Bundle;

        Assert.Equal(2, bundle.JwtAuthorities.Count);
        Assert.Equal(2UL, bundle.SequenceNumber);
        Assert.Equal(kid, _pki.Ca.CurrentJwtKeyId);
    }

    [Fact]
    public void AtFiveSixths_NextIntermediateAndJwtKeyActivate()
    {
        var intermediate = _pki.Ca.CurrentIntermediate;
        var kid = _pki.Ca.CurrentJwtKeyId;
        _pki.Clock.Advance(TimeSpan.FromHours(12));
        _pki.Ca.Rotate();
        _pki.Clock.Advance(TimeSpan.FromHours(8));

        Assert.NotEqual(intermediate.Thumbprint, _pki.Ca.CurrentIntermediate.Thumbprint);
        Assert.NotEqual(kid, _pki.Ca.CurrentJwtKeyId);
        Assert.Contains(kid, _pki.Ca.Bundle.JwtAuthorities.Keys); // old key stays until it expires
        Assert.Equal(TestPki.Start.AddHours(12), new DateTimeOffset(_pki.Ca.CurrentIntermediate.NotBefore.ToUniversalTime(), TimeSpan.Zero));
    }

    [Fact]
    public async Task JwtSvidSignedJustBeforeKeyActivation_StillValidAfter()
    {
        _pki.Clock.Advance(TimeSpan.FromHours(12)); _pki.Ca.Rotate(); // next key prepared and published
        _pki.Clock.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMinutes(2));
        var token = _pki.Ca.IssueJwtSvid(_pki.Id("/api"), ["db"]);
        var kid = _pki.Ca.CurrentJwtKeyId;
        _pki.Clock.Advance(TimeSpan.FromMinutes(3)); // activation passes

        Assert.NotEqual(kid, _pki.Ca.CurrentJwtKeyId);
        var result = await new Gatehouse.Workload.Jwt.JwtSvidValidator(_pki.Clock).ValidateAsync(token, _pki.Ca.Bundle, "db");
        Assert.Equal(Gatehouse.Workload.Jwt.JwtSvidError.None, result.Error);
    }

    [Fact]
    public void RetiredJwtKey_LeavesBundleAtItsExpiry()
    {
        var kid = _pki.Ca.CurrentJwtKeyId;
        _pki.Clock.Advance(TimeSpan.FromHours(12)); _pki.Ca.Rotate();
        _pki.Clock.Advance(TimeSpan.FromHours(8)); _pki.Ca.Rotate();
        _pki.Clock.Advance(TimeSpan.FromHours(4));

        Assert.DoesNotContain(kid, _pki.Ca.Bundle.JwtAuthorities.Keys);
    }

    [Fact]
    public void RootRotation_NewRootPublishedAtHalf_ActivatedAtFiveSixths_OldKeptUntilExpiry()
    {
        var root = _pki.Ca.CurrentRoot;
        for (var day = 1; day <= 15; day++) { _pki.Clock.Advance(TimeSpan.FromDays(1)); _pki.Ca.Rotate(); }

        Assert.Equal(2, _pki.Ca.Bundle.X509Authorities.Count);
        Assert.Equal(root.Thumbprint, _pki.Ca.CurrentRoot.Thumbprint);

        for (var day = 16; day <= 25; day++) { _pki.Clock.Advance(TimeSpan.FromDays(1)); _pki.Ca.Rotate(); }

        var newRoot = _pki.Ca.CurrentRoot;
        Assert.NotEqual(root.Thumbprint, newRoot.Thumbprint);
        Assert.Equal(newRoot.SubjectName.RawData, _pki.Ca.CurrentIntermediate.IssuerName.RawData);
        Assert.Contains(root.Thumbprint, _pki.Ca.Bundle.X509Authorities.Select(a => a.Thumbprint));

        _pki.Clock.Advance(TimeSpan.FromDays(5)); // past the old root's notAfter
        Assert.DoesNotContain(root.Thumbprint, _pki.Ca.Bundle.X509Authorities.Select(a => a.Thumbprint));
    }

    [Fact]
    public void SvidIssuedBeforeRootActivation_ValidatesWithBundleAfter()
    {
        _pki.Clock.Advance(TimeSpan.FromDays(15)); _pki.Ca.Rotate();
        _pki.Clock.Advance(TimeSpan.FromDays(10) - TimeSpan.FromMinutes(30));
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));
        _pki.Clock.Advance(TimeSpan.FromMinutes(40)); // root activation at day 25

        var result = new X509SvidValidator(_pki.Clock).Validate(svid.Certificates, _pki.Ca.Bundle);

        Assert.Equal(X509SvidError.None, result.Error);
    }

    [Fact]
    public void BundleChanged_RaisedWithIncrementedSequence()
    {
        var seen = new List<SpiffeBundle>();
        _pki.Ca.BundleChanged += seen.Add;
        _pki.Clock.Advance(TimeSpan.FromHours(12));

        _pki.Ca.Rotate();
        _pki.Ca.Rotate();

        var bundle = Assert.Single(seen);
        Assert.Equal(2UL, bundle.SequenceNumber);
    }

    [Fact]
    public void ProcessDownPastActivation_PreparesAndActivatesAtOnce()
    {
        var intermediate = _pki.Ca.CurrentIntermediate;
        _pki.Clock.Advance(TimeSpan.FromHours(21));

        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));

        Assert.NotEqual(intermediate.Thumbprint, _pki.Ca.CurrentIntermediate.Thumbprint);
        Assert.Equal(TimeSpan.FromHours(1), svid.NotAfter - TestPki.Start.AddHours(21));
    }

    [Fact]
    public void Options_Invalid_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new WorkloadCaOptions { TrustDomain = _pki.TrustDomain, X509SvidTtl = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new WorkloadCaOptions { TrustDomain = _pki.TrustDomain, IntermediateTtl = TimeSpan.FromDays(60) }.Validate());
    }

    public void Dispose() => _pki.Dispose();
}
