using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Spiffe;

/// <summary>
/// Reads the subjectAltName extension (RFC 5280 §4.2.1.6) with AsnReader. .NET's GetNameInfo returns only the
/// first URI, and X509-SVID §2 needs to know whether there is more than one.
/// </summary>
public static class SubjectAltNames
{
    public const string Oid = "2.5.29.17";
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>The URIs and DNS names in the certificate's SAN extension; empty lists when it has none.</summary>
    public static (IReadOnlyList<string> Uris, IReadOnlyList<string> DnsNames, bool Critical) Read(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[Oid];
        if (extension is null)
            return ([], [], false);
        var (uris, dns) = Decode(extension.RawData);
        return (uris, dns, extension.Critical);
    }

    /// <summary>
    /// Encodes a SAN extension with the URIs and DNS names exactly as given. (SubjectAlternativeNameBuilder takes a
    /// System.Uri, whose AbsoluteUri turns <c>spiffe://example.org</c> into <c>spiffe://example.org/</c> — an invalid SPIFFE ID.)
    /// </summary>
    public static X509Extension Encode(IEnumerable<string> uris, IEnumerable<string> dnsNames, bool critical)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var dns in dnsNames)
                writer.WriteCharacterString(UniversalTagNumber.IA5String, dns, DnsNameTag);
            foreach (var uri in uris)
                writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, UriTag);
        }
        return new X509Extension(Oid, writer.Encode(), critical);
    }

    /// <summary>Decodes GeneralNames (a SEQUENCE of implicitly tagged choices); throws on malformed DER.</summary>
    public static (List<string> Uris, List<string> DnsNames) Decode(ReadOnlyMemory<byte> der)
    {
        var uris = new List<string>();
        var dns = new List<string>();
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var names = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag.HasSameClassAndValue(UriTag))
                uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
            else if (tag.HasSameClassAndValue(DnsNameTag))
                dns.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, DnsNameTag));
            else
                names.ReadEncodedValue();
        }
        return (uris, dns);
    }
}
