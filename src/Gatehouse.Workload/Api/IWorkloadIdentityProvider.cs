using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Registration;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Api;

/// <summary>
/// Where the agent's SVIDs and bundle come from: a CA in the agent's own process (<see cref="LocalWorkloadIdentityProvider"/>)
/// or a <c>gatehouse workload server</c> shared by every agent (<see cref="Server.WorkloadServerClient"/>). The Workload
/// API attests the caller and asks the provider for the identities the caller's selectors are entitled to.
/// </summary>
public interface IWorkloadIdentityProvider
{
    TrustDomain TrustDomain { get; }

    /// <summary>The trust domain's current bundle.</summary>
    SpiffeBundle Bundle { get; }

    /// <summary>Raised after the bundle's contents changed, with the new bundle.</summary>
    event Action<SpiffeBundle>? BundleChanged;

    /// <summary>Whether some registration entry matches the selectors.</summary>
    Task<bool> IsEntitledAsync(IReadOnlyList<Selector> selectors, CancellationToken cancellationToken);

    /// <summary>X.509-SVIDs for the registration entries the selectors match, one per SPIFFE ID, the default first; empty when none match.</summary>
    Task<IReadOnlyList<X509Svid>> FetchX509SvidsAsync(IReadOnlyList<Selector> selectors, CancellationToken cancellationToken);

    /// <summary>JWT-SVIDs for <paramref name="audiences"/>, like <see cref="FetchX509SvidsAsync"/>; only <paramref name="requested"/>'s when given.</summary>
    Task<IReadOnlyList<JwtSvid>> FetchJwtSvidsAsync(IReadOnlyList<Selector> selectors, IReadOnlyCollection<string> audiences, SpiffeId? requested,
        CancellationToken cancellationToken);
}

/// <summary>An issued JWT-SVID with the SPIFFE ID it carries.</summary>
public sealed record JwtSvid(SpiffeId Id, string Token);

/// <summary>The provider cannot answer now (e.g. the workload server is unreachable); the Workload API answers Unavailable.</summary>
public sealed class IdentityProviderUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
