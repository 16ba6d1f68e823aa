using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Jwt;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Tests;

/// <summary>SPIFFE_Trust_Domain_and_Bundle §4, X509-SVID §6, JWT-SVID §6: format, parsing and per-trust-domain isolation.</summary>
public class SpiffeBundleTests : IDisposable
{
    private readonly TestPki _pki = new();

    private JsonObject Json() => JsonNode.Parse(_pki.Ca.Bundle.ToJson())!.AsObject();
    private SpiffeBundle Parse(JsonNode json) => SpiffeBundle.Parse(_pki.TrustDomain, json.ToJsonString());

    [Fact]
    public void Serialize_TopLevel_KeysSequenceRefreshHint()
    {
        var json = Json();

        Assert.Equal(JsonValueKind.Array, json["keys"]!.GetValueKind());
        Assert.Equal(1UL, json["spiffe_sequence"]!.GetValue<ulong>());
        Assert.Equal(300, json["spiffe_refresh_hint"]!.GetValue<long>());
    }

    [Fact]
    public void Serialize_X509Entry_UseX509Svid_OneX5c_NoKid_KeyParameters()
    {
        var entry = Json()["keys"]!.AsArray().Single(k => (string?)k!["use"] == "x509-svid")!;

        Assert.Equal("EC", (string?)entry["kty"]);
        Assert.Equal("P-256", (string?)entry["crv"]);
        Assert.NotNull(entry["x"]);
        Assert.Null(entry["kid"]);
        var x5c = Assert.Single(entry["x5c"]!.AsArray());
        Assert.Equal(_pki.Ca.CurrentRoot.RawData, Convert.FromBase64String((string)x5c!));
    }

    [Fact]
    public void Serialize_JwtEntry_UseJwtSvid_WithKid_NoPrivateKey()
    {
        var entry = Json()["keys"]!.AsArray().Single(k => (string?)k!["use"] == "jwt-svid")!;

        Assert.Equal(_pki.Ca.CurrentJwtKeyId, (string?)entry["kid"]);
        Assert.Equal("EC", (string?)entry["kty"]);
        Assert.Null(entry["d"]);
        Assert.Null(entry["x5c"]);
    }

    [Fact]
    public void RoundTrip_PreservesAuthoritiesSequenceAndHint()
    {
        var original = _pki.Ca.Bundle;
        var parsed = SpiffeBundle.Parse(_pki.TrustDomain, original.ToJson());

        Assert.Equal(original.X509Authorities.Select(c => c.Thumbprint), parsed.X509Authorities.Select(c => c.Thumbprint));
        Assert.Equal(original.JwtAuthorities.Keys, parsed.JwtAuthorities.Keys);
        Assert.Equal(original.SequenceNumber, parsed.SequenceNumber);
        Assert.Equal(original.RefreshHint, parsed.RefreshHint);
        Assert.Equal(parsed.ToJson(), SpiffeBundle.Parse(_pki.TrustDomain, parsed.ToJson()).ToJson());
    }

    [Fact]
    public void Keys_Missing_Rejected() =>
        Assert.Throws<BundleFormatException>(() => SpiffeBundle.Parse(_pki.TrustDomain, """{"spiffe_sequence":1}"""));

    [Fact]
    public void Keys_Empty_Accepted() => Assert.Empty(SpiffeBundle.Parse(_pki.TrustDomain, """{"keys":[]}""").X509Authorities);

    [Theory]
    [InlineData("""{"keys":[],"spiffe_sequence":-1}""")]
    [InlineData("""{"keys":[],"spiffe_sequence":"1"}""")]
    [InlineData("""{"keys":[],"spiffe_refresh_hint":1.5}""")]
    [InlineData("""[]""")]
    [InlineData("""{"keys":[""")]
    public void Malformed_Rejected(string json) =>
        Assert.Throws<BundleFormatException>(() => SpiffeBundle.Parse(_pki.TrustDomain, json));

    [Fact]
    public void SequenceAndHint_Optional() =>
        Assert.Null(SpiffeBundle.Parse(_pki.TrustDomain, """{"keys":[]}""").SequenceNumber);

    [Fact]
    public void Sequence_Full64Bits_Parsed() =>
        Assert.Equal(ulong.MaxValue, SpiffeBundle.Parse(_pki.TrustDomain, """{"keys":[],"spiffe_sequence":18446744073709551615}""").SequenceNumber);

    [Theory]
    [InlineData("X509-SVID")]
    [InlineData("sig")]
    [InlineData(null)]
    public void Use_WrongOrMissing_EntryIgnored(string? use)
    {
        var json = Json();
        foreach (var key in json["keys"]!.AsArray())
        {
            if (use is null) key!.AsObject().Remove("use");
            else key!["use"] = use;
        }

        var bundle = Parse(json);

        Assert.Empty(bundle.X509Authorities);
        Assert.Empty(bundle.JwtAuthorities);
    }

    [Fact]
    public void Use_WrongOnX509Entry_SvidNoLongerValidates()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));
        var json = Json();
        json["keys"]!.AsArray().Single(k => (string?)k!["use"] == "x509-svid")!["use"] = "jwt-svid";

        var result = new X509SvidValidator(_pki.Clock).Validate(svid.Certificates, Parse(json));

        Assert.Equal(X509SvidError.UntrustedChain, result.Error);
    }

    [Fact]
    public void X5c_NotACaCertificate_Rejected()
    {
        using var svid = _pki.Ca.IssueX509Svid(_pki.Id("/api"));
        var json = Json();
        json["keys"]!.AsArray().Single(k => (string?)k!["use"] == "x509-svid")!["x5c"] = new JsonArray(Convert.ToBase64String(svid.Leaf.RawData));

        Assert.Throws<BundleFormatException>(() => Parse(json));
    }

    [Theory]
    [InlineData("OKP")]
    [InlineData("oct")]
    [InlineData(null)]
    public void Kty_UnknownOrMissing_EntryIgnored(string? kty)
    {
        var json = Json();
        foreach (var key in json["keys"]!.AsArray())
        {
            if (kty is null) key!.AsObject().Remove("kty");
            else key!["kty"] = kty;
        }

        var bundle = Parse(json);

        Assert.Empty(bundle.X509Authorities);
        Assert.Empty(bundle.JwtAuthorities);
    }

    [Fact]
    public void X5c_MissingOrEmpty_EntryIgnored()
    {
        var json = Json();
        var entry = json["keys"]!.AsArray().Single(k => (string?)k!["use"] == "x509-svid")!;
        entry["x5c"] = new JsonArray();
        Assert.Empty(Parse(json).X509Authorities);
        entry.AsObject().Remove("x5c");
        Assert.Empty(Parse(json).X509Authorities);
    }

    [Fact]
    public void X5c_OnlyFirstCertificateCounts()
    {
        using var other = new TestPki("other.org");
        var json = Json();
        var entry = json["keys"]!.AsArray().Single(k => (string?)k!["use"] == "x509-svid")!;
        entry["x5c"]!.AsArray().Add(Convert.ToBase64String(other.Ca.CurrentRoot.RawData));

        var authority = Assert.Single(Parse(json).X509Authorities);

        Assert.Equal(_pki.Ca.CurrentRoot.Thumbprint, authority.Thumbprint);
    }

    [Fact]
    public void Kid_MissingOnJwtEntry_EntryIgnored()
    {
        var json = Json();
        json["keys"]!.AsArray().Single(k => (string?)k!["use"] == "jwt-svid")!.AsObject().Remove("kid");

        Assert.Empty(Parse(json).JwtAuthorities);
    }

    [Fact]
    public void UnknownParameters_Tolerated()
    {
        var json = Json();
        json["custom"] = "x";
        json["keys"]!.AsArray()[0]!["custom"] = 1;

        Assert.Single(Parse(json).X509Authorities);
    }

    [Fact]
    public void PrivateKeyInBundle_Rejected()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ec.ExportParameters(true);
        var json = $$"""{"keys":[{"kty":"EC","use":"jwt-svid","kid":"k","crv":"P-256","x":"{{B64(p.Q.X!)}}","y":"{{B64(p.Q.Y!)}}","d":"{{B64(p.D!)}}"}]}""";

        Assert.Throws<BundleFormatException>(() => SpiffeBundle.Parse(_pki.TrustDomain, json));
    }

    [Fact]
    public void BundleSet_OneBundlePerTrustDomain_PutReplacesNeverMerges()
    {
        using var signer = JwtSigningKey.Create(TestPki.Start, TestPki.Start.AddDays(1));
        var set = new SpiffeBundleSet(_pki.Ca.Bundle);
        var replacement = new SpiffeBundle(_pki.TrustDomain, jwtAuthorities: [signer.PublicJwk()], sequenceNumber: 9);

        set.Put(replacement);

        Assert.True(set.TryGet(_pki.TrustDomain, out var current));
        Assert.Same(replacement, current);
        Assert.Empty(current.X509Authorities);
        Assert.False(set.TryGet(TrustDomain.Parse("other.org"), out _));
    }

    private static string B64(byte[] bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(bytes);

    public void Dispose() => _pki.Dispose();
}
