using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Spiffe;

public sealed record X509SvidValidationResult(X509SvidError Error, SpiffeId? Id = null)
{
    public bool IsValid => Error == X509SvidError.None;
}

/// <summary>
/// Validates a peer's X.509-SVID (X509-SVID §5): the leaf rules of §5.2 first, each its own step, then RFC 5280
/// path validation against the X.509 authorities of the ID's own trust domain only.
/// </summary>
public sealed class X509SvidValidator(TimeProvider timeProvider)
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public X509SvidValidator() : this(TimeProvider.System) { }

    /// <summary>Validates against the bundle of the SVID's trust domain, looked up in <paramref name="bundles"/>.</summary>
    public X509SvidValidationResult Validate(IReadOnlyList<X509Certificate2> chain, SpiffeBundleSet bundles)
    {
        var leaf = ValidateLeaf(chain);
        if (!leaf.IsValid)
            return leaf;
        return bundles.TryGet(leaf.Id!.TrustDomain, out var bundle)
            ? ValidatePath(chain, bundle, leaf.Id)
            : new(X509SvidError.TrustDomainMismatch, leaf.Id);
    }

    /// <summary>Validates against one trust domain's bundle; an ID of any other trust domain is rejected.</summary>
    public X509SvidValidationResult Validate(IReadOnlyList<X509Certificate2> chain, SpiffeBundle bundle)
    {
        var leaf = ValidateLeaf(chain);
        if (!leaf.IsValid)
            return leaf;
        return leaf.Id!.TrustDomain == bundle.TrustDomain
            ? ValidatePath(chain, bundle, leaf.Id)
            : new(X509SvidError.TrustDomainMismatch, leaf.Id);
    }

    private X509SvidValidationResult ValidateLeaf(IReadOnlyList<X509Certificate2> chain)
    {
        if (chain.Count == 0)
            return new(X509SvidError.NoCertificates);
        var leaf = chain[0];

        IReadOnlyList<string> uris;
        try
        {
            uris = SubjectAltNames.Read(leaf).Uris;
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return new(X509SvidError.MalformedSubjectAltName);
        }
        if (uris.Count == 0)
            return new(X509SvidError.NoUriSan);
        if (uris.Count > 1)
            return new(X509SvidError.MultipleUriSans);
        if (!SpiffeId.TryParse(uris[0], out var id))
            return new(X509SvidError.InvalidSpiffeId);
        if (id!.IsTrustDomainId)
            return new(X509SvidError.IdWithoutPath, id);

        var error = CheckBasicConstraints(leaf) ?? CheckKeyUsage(leaf) ?? CheckExtendedKeyUsage(leaf) ?? CheckSigningIds(chain) ?? CheckValidity(leaf);
        return new(error ?? X509SvidError.None, id);
    }

    private static X509SvidError? CheckBasicConstraints(X509Certificate2 leaf) =>
        leaf.Extensions.OfType<X509BasicConstraintsExtension>().Any(bc => bc.CertificateAuthority) ? X509SvidError.LeafIsCa : null;

    private static X509SvidError? CheckKeyUsage(X509Certificate2 leaf)
    {
        var ku = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (ku is null)
            return X509SvidError.KeyUsageMissing;
        if (!ku.Critical)
            return X509SvidError.KeyUsageNotCritical;
        if (ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            return X509SvidError.KeyCertSignOnLeaf;
        if (ku.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign))
            return X509SvidError.CrlSignOnLeaf;
        if (!ku.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
            return X509SvidError.DigitalSignatureMissing;
        return null;
    }

    private static X509SvidError? CheckExtendedKeyUsage(X509Certificate2 leaf)
    {
        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null)
            return null; // §4.4: SHOULD include — absence is allowed
        var oids = eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToHashSet();
        return oids.Contains(ServerAuth) && oids.Contains(ClientAuth) ? null : X509SvidError.ExtendedKeyUsageIncomplete;
    }

    private static X509SvidError? CheckSigningIds(IReadOnlyList<X509Certificate2> chain)
    {
        foreach (var signer in chain.Skip(1))
        {
            try
            {
                foreach (var uri in SubjectAltNames.Read(signer).Uris)
                {
                    if (SpiffeId.TryParse(uri, out var id) && !id!.IsTrustDomainId)
                        return X509SvidError.SigningCertificateIdWithPath;
                }
            }
            catch (System.Formats.Asn1.AsnContentException)
            {
                return X509SvidError.MalformedSubjectAltName;
            }
        }
        return null;
    }

    private X509SvidError? CheckValidity(X509Certificate2 leaf)
    {
        var now = timeProvider.GetUtcNow();
        if (now < leaf.NotBefore.ToUniversalTime())
            return X509SvidError.NotYetValid;
        if (now > leaf.NotAfter.ToUniversalTime())
            return X509SvidError.Expired;
        return null;
    }

    private X509SvidValidationResult ValidatePath(IReadOnlyList<X509Certificate2> chain, SpiffeBundle bundle, SpiffeId id)
    {
        if (bundle.X509Authorities.Count == 0)
            return new(X509SvidError.UntrustedChain, id);
        using var x509Chain = new X509Chain();
        var policy = x509Chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(bundle.X509Authorities.ToArray());
        policy.ExtraStore.AddRange(chain.Skip(1).ToArray());
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = timeProvider.GetUtcNow().UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (x509Chain.Build(chain[0]))
            return new(X509SvidError.None, id);
        var status = x509Chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        return new(status.HasFlag(X509ChainStatusFlags.NotTimeValid) ? X509SvidError.Expired : X509SvidError.UntrustedChain, id);
    }
}
