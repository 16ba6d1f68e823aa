using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Registration;

namespace Gatehouse.Workload.Tests;

public class RegistrationEntryFileTests
{
    private static readonly TrustDomain Td = TrustDomain.Parse("example.org");

    [Fact]
    public void Parse_FullEntry_AllFields()
    {
        var entry = Assert.Single(RegistrationEntryFile.Parse("""
            { "entries": [ { "id": "api", "spiffe_id": "spiffe://example.org/api", "selectors": ["unix:uid:1000", "unix:gid:1000"],
                             "dns_names": ["api.local"], "x509_svid_ttl": 600, "jwt_svid_ttl": 60 } ] }
            """, Td));

        Assert.Equal("api", entry.Id);
        Assert.Equal("spiffe://example.org/api", entry.SpiffeId.ToString());
        Assert.Equal([Selector.UnixUid(1000), Selector.UnixGid(1000)], entry.Selectors);
        Assert.Equal(["api.local"], entry.DnsNames);
        Assert.Equal(TimeSpan.FromMinutes(10), entry.X509SvidTtl);
        Assert.Equal(TimeSpan.FromMinutes(1), entry.JwtSvidTtl);
    }

    [Fact]
    public void Parse_NoId_UsesSpiffeIdAndDefaults()
    {
        var entry = Assert.Single(RegistrationEntryFile.Parse("""{ "entries": [ { "spiffe_id": "spiffe://example.org/api", "selectors": ["unix:uid:0"] } ] }""", Td));

        Assert.Equal("spiffe://example.org/api", entry.Id);
        Assert.Null(entry.X509SvidTtl);
    }

    [Theory]
    [InlineData("""{ "entries": [ { "spiffe_id": "spiffe://other.org/api", "selectors": ["unix:uid:0"] } ] }""", "outside trust domain")]
    [InlineData("""{ "entries": [ { "spiffe_id": "not-an-id", "selectors": ["unix:uid:0"] } ] }""", "is not a SPIFFE ID")]
    [InlineData("""{ "entries": [ { "spiffe_id": "spiffe://example.org", "selectors": ["unix:uid:0"] } ] }""", "needs a path")]
    [InlineData("""{ "entries": [ { "spiffe_id": "spiffe://example.org/api", "selectors": [] } ] }""", "selectors is empty")]
    [InlineData("""{ "entries": [ { "spiffe_id": "spiffe://example.org/api", "selectors": ["unix:uid:x"] } ] }""", "entries[0].selectors: 'unix:uid:x'")]
    [InlineData("""{ "entries": [ { "spiffe_id": "spiffe://example.org/api", "selectors": ["unix:uid:0"], "x509_svid_ttl": 0 } ] }""", "x509_svid_ttl must be a positive")]
    [InlineData("""{ "entries": [ { "spiffe_id": "spiffe://example.org/api", "selectors": ["unix:uid:0"], "ttl": 5 } ] }""", "ttl")]
    [InlineData("""{ "entries": [ { "id": "a", "spiffe_id": "spiffe://example.org/a", "selectors": ["unix:uid:0"] }, { "id": "a", "spiffe_id": "spiffe://example.org/b", "selectors": ["unix:uid:0"] } ] }""", "entries[1].id 'a' is used twice")]
    [InlineData("""[]""", "not a valid entries file")]
    [InlineData("""{ }""", "expected { \"entries\"")]
    public void Parse_Invalid_ErrorNamesTheField(string json, string message)
    {
        var ex = Assert.Throws<RegistrationEntryFileException>(() => RegistrationEntryFile.Parse(json, Td));

        Assert.Contains(message, ex.Message);
    }
}
