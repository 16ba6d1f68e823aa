namespace Gatehouse.Workload.Attestation;

/// <summary>How the Kubernetes attestor reaches the kubelet of its node.</summary>
public sealed class KubeletOptions
{
    public const string ServiceAccountTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    public const string ServiceAccountCaFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
    public const int SecurePort = 10250;

    /// <summary>The kubelet's secure port, e.g. <c>https://10.0.0.12:10250</c>; <c>/pods</c> is appended.</summary>
    public required Uri Url { get; init; }

    /// <summary>Bearer token file, read at every fetch (projected service-account tokens are rotated by the kubelet).</summary>
    public string TokenFile { get; init; } = ServiceAccountTokenFile;

    /// <summary>PEM file of the CA(s) that issue the kubelet's serving certificate.</summary>
    public string CaFile { get; init; } = ServiceAccountCaFile;

    /// <summary>
    /// Accept any kubelet certificate. Only for clusters whose kubelets serve a self-signed certificate (kind,
    /// minikube): anyone who can intercept the agent's traffic to the kubelet can then choose the caller's pod.
    /// </summary>
    public bool SkipVerification { get; init; }

    /// <summary>How long a fetched pod list answers attestations before the kubelet is asked again.</summary>
    public TimeSpan PodListCacheTtl { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A container shows in the kubelet's pod list a moment after its process starts; a caller whose container is not
    /// listed yet is looked up again (fresh list) this many times, this far apart, before it gets no pod selectors.
    /// </summary>
    public int MaxPollAttempts { get; init; } = 10;

    public TimeSpan PollRetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (!Url.IsAbsoluteUri || Url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(Url.Query) || !string.IsNullOrEmpty(Url.Fragment))
            throw new ArgumentException($"The kubelet URL '{Url}' must be https://HOST:PORT (the secure port, {SecurePort} by default; the read-only http port is not supported).");
        if (MaxPollAttempts < 1 || PollRetryInterval < TimeSpan.Zero || PodListCacheTtl < TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException("Kubelet polling settings must be positive.");
    }
}
