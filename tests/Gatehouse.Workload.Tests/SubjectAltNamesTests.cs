using Gatehouse.Protocol.Spiffe;
using System.Formats.Asn1;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Tests;

public class SubjectAltNamesTests
{
    [Fact]
    public void Encode_Decode_KeepsEveryUriAndDnsName_Verbatim()
    {
        var ext = SubjectAltNames.Encode(["spiffe://example.org", "spiffe://example.org/b"], ["a.example"], critical: true);

        var (uris, dns) = SubjectAltNames.Decode(ext.RawData);

        Assert.True(ext.Critical);
        Assert.Equal(["spiffe://example.org", "spiffe://example.org/b"], uris);
        Assert.Equal(["a.example"], dns);
    }

    [Fact]
    public void Decode_SkipsOtherNameTypes()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString([127, 0, 0, 1], new Asn1Tag(TagClass.ContextSpecific, 7)); // iPAddress
            writer.WriteCharacterString(UniversalTagNumber.IA5String, "spiffe://example.org/a", new Asn1Tag(TagClass.ContextSpecific, 6));
        }

        Assert.Equal(["spiffe://example.org/a"], SubjectAltNames.Decode(writer.Encode()).Uris);
    }

    [Fact]
    public void Decode_Malformed_Throws() =>
        Assert.ThrowsAny<AsnContentException>(() => SubjectAltNames.Decode(new byte[] { 0x30, 0x05, 0x86 }));
}
