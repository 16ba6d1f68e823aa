using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Ca;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Workload.Tests;

/// <summary>A trust domain with a CA on a fake clock, and a builder for deliberately broken leaves.</summary>
public sealed class TestPki : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <param name="start">the fake clock's start; tests that use real TLS pass the current time</param>
    public TestPki(string trustDomain = "example.org", WorkloadCaOptions? options = null, DateTimeOffset? start = null)
    {
        TrustDomain = TrustDomain.Parse(trustDomain);
        Clock = new FakeTimeProvider(start ?? Start);
        Ca = new WorkloadCaManager(options ?? new WorkloadCaOptions { TrustDomain = TrustDomain }, Clock);
    }

    public TrustDomain TrustDomain { get; }
    public FakeTimeProvider Clock { get; }
    public WorkloadCaManager Ca { get; }

    public SpiffeId Id(string path) => SpiffeId.FromPath(TrustDomain, path);

    /// <summary>This process's real uid, as the agent will attest it from SO_PEERCRED.</summary>
    public static uint CurrentUid() => uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);

    /// <summary>A leaf like the issuer's, with every property open to being made wrong.</summary>
    public sealed record LeafSpec
    {
        public string[] Uris { get; init; } = ["spiffe://example.org/api"];
        public string[] DnsNames { get; init; } = [];
        public bool? CertificateAuthority { get; init; } = false;
        public X509KeyUsageFlags? KeyUsage { get; init; } = X509KeyUsageFlags.DigitalSignature;
        public bool KeyUsageCritical { get; init; } = true;
        public Oid[]? Eku { get; init; } = [ServerAuth, ClientAuth];
        public TimeSpan NotBeforeOffset { get; init; } = TimeSpan.Zero;
        public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);
    }

    public X509Certificate2[] Leaf(LeafSpec spec, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = Create(spec, issuer ??= Ca.CurrentIntermediate, key);
        return [X509CertificateLoader.LoadCertificate(leaf.RawData), issuer];
    }

    /// <summary>The leaf of <paramref name="spec"/> with its private key, for presenting it in a TLS handshake.</summary>
    public X509Certificate2 LeafWithKey(LeafSpec spec, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = Create(spec, issuer ?? Ca.CurrentIntermediate, key);
        return leaf.CopyWithPrivateKey(key);
    }

    private X509Certificate2 Create(LeafSpec spec, X509Certificate2 issuer, ECDsa key)
    {
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        if (spec.Uris.Length + spec.DnsNames.Length > 0)
            request.CertificateExtensions.Add(Gatehouse.Protocol.Spiffe.SubjectAltNames.Encode(spec.Uris, spec.DnsNames, critical: false));
        if (spec.CertificateAuthority is { } ca)
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        if (spec.KeyUsage is { } ku)
            request.CertificateExtensions.Add(new X509KeyUsageExtension(ku, spec.KeyUsageCritical));
        if (spec.Eku is { } eku)
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. eku], false));
        var notBefore = Clock.GetUtcNow() + spec.NotBeforeOffset;
        return request.Create(issuer, notBefore, notBefore + spec.Lifetime, [1, 2, 3, 4]);
    }

    public void Dispose() => Ca.Dispose();
}
