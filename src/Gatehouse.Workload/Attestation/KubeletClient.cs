using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Workload.Attestation;

/// <summary>
/// Reads the node's pods from the kubelet (<c>GET /pods</c> on its secure port, authenticated with a bearer token;
/// the kubelet authorizes it as <c>get nodes/proxy</c>). Pod lists are cached briefly so that a burst of callers
/// (every container of a starting pod) costs one request.
/// </summary>
public sealed class KubeletClient : IDisposable
{
    private const string CacheKey = "kubelet-pods";
    private const int MaxPodListBytes = 64 << 20;

    private readonly KubeletOptions _options;
    private readonly HybridCache _cache;
    private readonly HttpClient _http;
    private readonly ServiceProvider? _ownCache;

    /// <param name="cache">a shared cache; by default the client keeps its own in memory</param>
    public KubeletClient(KubeletOptions options, HybridCache? cache = null)
    {
        options.Validate();
        _options = options;
        if (cache is null)
        {
            _ownCache = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
            cache = _ownCache.GetRequiredService<HybridCache>();
        }
        _cache = cache;
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = CertificateValidation(options) },
        })
        {
            BaseAddress = options.Url,
            Timeout = options.RequestTimeout,
            MaxResponseContentBufferSize = MaxPodListBytes,
        };
    }

    /// <summary>The node's pods, from the cache unless <paramref name="fresh"/>.</summary>
    public async Task<KubeletPods> GetPodsAsync(bool fresh, CancellationToken cancellationToken)
    {
        if (fresh)
            await _cache.RemoveAsync(CacheKey, cancellationToken).ConfigureAwait(false);
        return await _cache.GetOrCreateAsync(CacheKey, this, static (self, ct) => new ValueTask<KubeletPods>(self.FetchAsync(ct)),
            new HybridCacheEntryOptions { Expiration = _options.PodListCacheTtl, LocalCacheExpiration = _options.PodListCacheTtl },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<KubeletPods> FetchAsync(CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(_options.TokenFile, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeletException($"Cannot read the kubelet bearer token {_options.TokenFile}: {e.Message}", e);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new KubeletException($"The kubelet at {_options.Url} answered {(int)response.StatusCode} {response.ReasonPhrase} to GET /pods"
                    + ((int)response.StatusCode is 401 or 403 ? " (is the token valid, and may its service account get nodes/proxy?)." : "."));
            var document = await JsonSerializer.DeserializeAsync<KubeletPods.PodListDocument>(
                await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            return KubeletPods.From(document ?? new KubeletPods.PodListDocument());
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new KubeletException($"Cannot read pods from the kubelet at {_options.Url}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The kubelet is verified like any TLS server — its certificate must chain to the configured CA (only that CA,
    /// no system roots) and name the host of the URL — unless verification is explicitly skipped.
    /// </summary>
    private static RemoteCertificateValidationCallback CertificateValidation(KubeletOptions options)
    {
        if (options.SkipVerification)
            return (_, _, _, _) => true;
        X509Certificate2Collection roots = [];
        try
        {
            roots.ImportFromPemFile(options.CaFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new KubeletException($"Cannot read the kubelet CA file {options.CaFile}: {e.Message}", e);
        }
        if (roots.Count == 0)
            throw new KubeletException($"The kubelet CA file {options.CaFile} holds no certificate.");
        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }

    public void Dispose()
    {
        _http.Dispose();
        _ownCache?.Dispose();
    }
}

public sealed class KubeletException(string message, Exception? inner = null) : Exception(message, inner);
