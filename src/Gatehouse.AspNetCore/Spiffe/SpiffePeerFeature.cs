using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.AspNetCore.Spiffe;

/// <summary>
/// Set on a connection once its client certificate has been validated as an X.509-SVID during the TLS handshake;
/// its presence is what the SPIFFE authentication handler trusts. A bare client certificate is not enough.
/// </summary>
public sealed class SpiffePeerFeature(SpiffeId id)
{
    public SpiffeId Id { get; } = id;
}
