using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Ca;

public sealed class WorkloadCaOptions
{
    public required TrustDomain TrustDomain { get; init; }

    /// <summary>
    /// An upstream-provided CA certificate with its private key. When set it signs the intermediates, is the
    /// bundle's X.509 authority and is never rotated here; when null a self-signed root is created and rotated.
    /// </summary>
    public X509Certificate2? UpstreamCa { get; init; }

    public TimeSpan RootTtl { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan IntermediateTtl { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan JwtKeyTtl { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan X509SvidTtl { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan JwtSvidTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Published as spiffe_refresh_hint; consumers default to about five minutes (bundle spec §6.2).</summary>
    public TimeSpan BundleRefreshHint { get; init; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (UpstreamCa is { HasPrivateKey: false })
            throw new ArgumentException("WorkloadCa:UpstreamCa needs its private key to sign intermediates.");
        if (UpstreamCa is not null && !UpstreamCa.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            throw new ArgumentException("WorkloadCa:UpstreamCa must be a CA certificate (basicConstraints cA=true).");
        foreach (var (name, value) in new[] { (nameof(RootTtl), RootTtl), (nameof(IntermediateTtl), IntermediateTtl), (nameof(JwtKeyTtl), JwtKeyTtl),
                     (nameof(X509SvidTtl), X509SvidTtl), (nameof(JwtSvidTtl), JwtSvidTtl) })
        {
            if (value <= TimeSpan.Zero)
                throw new ArgumentException($"WorkloadCa:{name} must be positive (got {value}).");
        }
        if (IntermediateTtl > RootTtl && UpstreamCa is null)
            throw new ArgumentException($"WorkloadCa:IntermediateTtl ({IntermediateTtl}) must not exceed RootTtl ({RootTtl}).");
    }
}
