using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.X509;

/// <summary>An issued X.509-SVID: the chain leaf → intermediate(s) (roots are in the bundle) and the leaf's private key.</summary>
public sealed class X509Svid(SpiffeId id, IReadOnlyList<X509Certificate2> certificates, ECDsa privateKey) : IDisposable
{
    public SpiffeId Id { get; } = id;
    public IReadOnlyList<X509Certificate2> Certificates { get; } = certificates;
    public ECDsa PrivateKey { get; } = privateKey;
    public X509Certificate2 Leaf => Certificates[0];
    public DateTimeOffset NotAfter => new(Leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The same SVID as TLS takes it (the leaf carrying a copy of the key), independent of this object's lifetime.</summary>
    public X509SvidCredential ToCredential() => new(Leaf.CopyWithPrivateKey(PrivateKey), Certificates.Skip(1).ToArray());

    public void Dispose()
    {
        PrivateKey.Dispose();
        Leaf.Dispose();
    }
}
