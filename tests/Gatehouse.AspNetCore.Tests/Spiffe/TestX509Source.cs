using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>An <see cref="IX509Source"/> the test sets by hand, to rotate or swap trust at a chosen moment.</summary>
public sealed class TestX509Source(X509SvidCredential svid, SpiffeBundleSet bundles) : IX509Source
{
    public X509SvidCredential Svid { get; set; } = svid;
    public SpiffeBundleSet Bundles { get; set; } = bundles;

    /// <summary>An SVID issued by <paramref name="pki"/>'s CA, trusting only that CA's trust domain.</summary>
    public static TestX509Source Issue(Gatehouse.Workload.Tests.TestPki pki, string path, params string[] dnsNames) =>
        new(IssueCredential(pki, path, dnsNames), new SpiffeBundleSet(pki.Ca.Bundle));

    public static X509SvidCredential IssueCredential(Gatehouse.Workload.Tests.TestPki pki, string path, params string[] dnsNames)
    {
        using var svid = pki.Ca.IssueX509Svid(pki.Id(path), dnsNames);
        return svid.ToCredential();
    }
}
