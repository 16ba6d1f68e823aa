using System.Net.Security;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Ca;

namespace Gatehouse.Workload.X509;

/// <summary>A server's own X.509-SVID from <paramref name="ca"/>, reissued once half of its life has passed; picked per TLS connection.</summary>
internal sealed class RenewingSvid(WorkloadCaManager ca, SpiffeId id)
{
    private readonly Lock _lock = new();
    private (X509SvidCredential Svid, DateTimeOffset RenewAt)? _current;

    public SslStreamCertificateContext Current
    {
        get
        {
            lock (_lock)
            {
                var now = TimeProvider.System.GetUtcNow();
                if (_current is not { } current || now >= current.RenewAt)
                {
                    using var svid = ca.IssueX509Svid(id);
                    var notBefore = new DateTimeOffset(svid.Leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
                    _current = current = (svid.ToCredential(), notBefore + (svid.NotAfter - notBefore) / 2);
                }
                return current.Svid.TlsContext;
            }
        }
    }
}
