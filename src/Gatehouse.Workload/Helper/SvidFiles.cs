using System.Security.Cryptography;
using System.Text;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Api.Proto;

namespace Gatehouse.Workload.Helper;

/// <summary>The PEM files of one X.509-SVID: chain (leaf first), PKCS#8 key, and the trust bundle.</summary>
public sealed record SvidPemFiles(string SpiffeId, string Certificates, string PrivateKey, string Bundle)
{
    /// <summary>The default identity (§5.3: the first SVID) of a FetchX509SVID message, as PEM.</summary>
    public static SvidPemFiles From(X509SVIDResponse response)
    {
        if (response.Svids.Count == 0)
            throw new InvalidDataException("The agent sent an X509SVIDResponse without SVIDs.");
        var svid = response.Svids[0];
        return new SvidPemFiles(
            svid.SpiffeId,
            ToPem(svid.X509Svid.Memory),
            new string(PemEncoding.Write("PRIVATE KEY", svid.X509SvidKey.Span)) + "\n", // the agent sends PKCS#8 DER (§5.3)
            ToPem(svid.Bundle.Memory));
    }

    private static string ToPem(ReadOnlyMemory<byte> der)
    {
        var pem = new StringBuilder();
        foreach (var certificate in WorkloadApiClient.ParseCertificates(der))
        {
            using (certificate)
                pem.Append(PemEncoding.Write("CERTIFICATE", certificate.RawData)).Append('\n');
        }
        return pem.ToString();
    }
}
