using System.Net.Security;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Federation;

/// <summary>
/// Fetches a foreign trust domain's bundle from its bundle endpoint (SPIFFE_Trust_Domain_and_Bundle §5.2). The result
/// is that trust domain's bundle only: keep it under its own trust domain (a <see cref="SpiffeBundleSet"/>), never
/// merged with another (§6.4).
/// </summary>
public static class BundleEndpointClient
{
    /// <summary>A bundle is a few keys; anything much larger is not one.</summary>
    private const int MaxBundleBytes = 1 << 20;

    /// <summary>
    /// <c>https_spiffe</c> (§5.2.2): the endpoint must present a valid X.509-SVID whose SPIFFE ID is
    /// <paramref name="endpointId"/>, checked against <paramref name="endpointBundle"/>, the bundle of the endpoint's
    /// trust domain the caller already holds (obtained out of band the first time, then the last one fetched).
    /// </summary>
    public static async Task<SpiffeBundle> FetchHttpsSpiffeAsync(Uri url, TrustDomain trustDomain, SpiffeId endpointId, SpiffeBundle endpointBundle,
        TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        if (endpointBundle.TrustDomain != endpointId.TrustDomain)
            throw new ArgumentException($"The endpoint {endpointId} must be checked against the bundle of {endpointId.TrustDomain}, not {endpointBundle.TrustDomain}.", nameof(endpointBundle));
        var validator = new X509SvidValidator(timeProvider ?? TimeProvider.System);
        var trust = new SpiffeBundleSet(endpointBundle);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // The SPIFFE ID, not the host name, authenticates the endpoint.
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    SpiffePeerValidation.Validate(certificate, chain, trust, validator) is { IsValid: true } result && result.Id == endpointId,
            },
        };
        using var http = new HttpClient(handler);
        return await FetchAsync(http, url, trustDomain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>https_web</c> (§5.2.1): the endpoint is authenticated by Web PKI — the host name and the roots of
    /// <paramref name="http"/>'s handler (the system's by default).
    /// </summary>
    public static async Task<SpiffeBundle> FetchHttpsWebAsync(HttpClient http, Uri url, TrustDomain trustDomain, CancellationToken cancellationToken = default)
    {
        if (url.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException("A bundle endpoint URL is https (§5.2).", nameof(url));
        return await FetchAsync(http, url, trustDomain, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SpiffeBundle> FetchAsync(HttpClient http, Uri url, TrustDomain trustDomain, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxBundleBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new BundleFormatException($"Could not read a bundle of at most {MaxBundleBytes} bytes: {e.Message}", e);
        }
        // §5: the document does not name its trust domain; the caller knows which one it asked for.
        return SpiffeBundle.Parse(trustDomain, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }
}
