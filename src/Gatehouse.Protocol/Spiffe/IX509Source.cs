namespace Gatehouse.Protocol.Spiffe;

/// <summary>
/// Where a workload's TLS stack gets its current X.509-SVID and the bundles to validate peers with. Implementations
/// follow the Workload API's FetchX509SVID stream or the helper's files and replace both on rotation, so callers read
/// them per handshake instead of keeping them.
/// </summary>
public interface IX509Source
{
    /// <summary>The default X.509-SVID (SPIFFE_Workload_API §5.3: the first one the agent sends).</summary>
    X509SvidCredential Svid { get; }

    /// <summary>The bundles of the workload's trust domain and of the domains it federates with, one per trust domain.</summary>
    SpiffeBundleSet Bundles { get; }
}
