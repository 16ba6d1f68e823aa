using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Federation;

/// <summary>
/// "We trust <see cref="TrustDomain"/>, whose bundle is served at <see cref="Url"/>." With
/// <see cref="EndpointId"/> the endpoint is authenticated under the <c>https_spiffe</c> profile
/// (SPIFFE_Trust_Domain_and_Bundle §5.2.2) against <see cref="EndpointBundle"/>, the endpoint trust domain's bundle
/// obtained out of band; without it, under <c>https_web</c> (§5.2.1).
/// </summary>
public sealed record FederationRelationship(TrustDomain TrustDomain, Uri Url, SpiffeId? EndpointId = null, SpiffeBundle? EndpointBundle = null)
{
    public void Validate()
    {
        if (!Url.IsAbsoluteUri || Url.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"The bundle endpoint URL of {TrustDomain} must be https (§5.2), got '{Url}'.");
        if (EndpointId is null != EndpointBundle is null)
            throw new ArgumentException($"{TrustDomain}: https_spiffe needs both the endpoint's SPIFFE ID and a bundle of its trust domain.");
        if (EndpointId is not null && EndpointId.TrustDomain != TrustDomain)
            throw new ArgumentException($"{TrustDomain}: the endpoint {EndpointId} must be in the trust domain it serves, so that each fetched bundle authenticates the next fetch.");
        if (EndpointBundle is not null && EndpointBundle.TrustDomain != TrustDomain)
            throw new ArgumentException($"{TrustDomain}: the initial bundle is for {EndpointBundle.TrustDomain}.");
    }
}
