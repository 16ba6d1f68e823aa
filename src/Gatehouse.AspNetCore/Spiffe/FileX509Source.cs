using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.AspNetCore.Spiffe;

/// <summary>
/// An <see cref="IX509Source"/> over the files the SVID helper keeps up to date (<c>svid.pem</c>, <c>svid_key.pem</c>,
/// <c>svid_bundle.pem</c>). Every read rereads the three small files and parses them again only when their content
/// changed (modification times can be too coarse to tell two quick rewrites apart). The helper replaces each file
/// atomically but one after another, so a certificate that does not match its key yet is skipped and the previous
/// SVID kept until the next read.
/// </summary>
public sealed class FileX509Source : IX509Source
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly string _bundlePath;
    private readonly Lock _lock = new();
    private Files _loaded;
    private (X509SvidCredential Svid, SpiffeBundleSet Bundles) _state;

    /// <summary>Loads the files now; throws when they are missing or do not form an SVID.</summary>
    public FileX509Source(string certDir, string svidFileName = "svid.pem", string svidKeyFileName = "svid_key.pem", string svidBundleFileName = "svid_bundle.pem")
    {
        _certificatePath = Path.Combine(certDir, svidFileName);
        _keyPath = Path.Combine(certDir, svidKeyFileName);
        _bundlePath = Path.Combine(certDir, svidBundleFileName);
        _loaded = Read();
        _state = Load(_loaded);
    }

    public X509SvidCredential Svid => Current().Svid;

    public SpiffeBundleSet Bundles => Current().Bundles;

    private (X509SvidCredential Svid, SpiffeBundleSet Bundles) Current()
    {
        lock (_lock)
        {
            try
            {
                var files = Read();
                if (files == _loaded)
                    return _state;
                _state = Load(files);
                _loaded = files;
            }
            catch (Exception e) when (e is IOException or CryptographicException or ArgumentException)
            {
                // Mid-rewrite (new key, old certificate) or a file briefly missing: keep the previous SVID.
            }
            return _state;
        }
    }

    private sealed record Files(string Certificates, string PrivateKey, string Bundle);

    private Files Read() => new(File.ReadAllText(_certificatePath), File.ReadAllText(_keyPath), File.ReadAllText(_bundlePath));

    private static (X509SvidCredential, SpiffeBundleSet) Load(Files files)
    {
        var svid = X509SvidCredential.FromPem(files.Certificates, files.PrivateKey);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(files.Bundle);
        // The helper writes the bundle of the SVID's own trust domain.
        return (svid, new SpiffeBundleSet(new SpiffeBundle(svid.Id.TrustDomain, roots)));
    }
}
