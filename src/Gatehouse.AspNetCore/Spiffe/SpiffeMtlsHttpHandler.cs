using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.AspNetCore.Spiffe;

/// <summary>
/// An HttpClient handler for calling another workload over mutual TLS: presents the source's current X.509-SVID
/// (with its intermediates) and accepts the server only if its certificate is a valid X.509-SVID whose SPIFFE ID
/// <paramref name="authorizeServer"/> approves — the host name in the URL plays no part in authentication.
/// </summary>
/// <remarks>
/// SocketsHttpHandler fixes its client certificate when a connection pool is created, so each SVID gets its own
/// inner handler: after a rotation new requests go through a fresh pool (new connections, new SVID) while requests
/// already sent finish on the old one, which is disposed when the last of them completes.
/// </remarks>
public sealed class SpiffeMtlsHttpHandler(IX509Source source, Func<SpiffeId, bool> authorizeServer, TimeProvider? timeProvider = null, ILogger? logger = null)
    : HttpMessageHandler
{
    private readonly X509SvidValidator _validator = new(timeProvider ?? TimeProvider.System);
    private readonly ILogger _log = logger ?? NullLogger.Instance;
    private readonly Lock _lock = new();
    private Generation? _current;

    /// <summary>A handler that accepts exactly one server SPIFFE ID.</summary>
    public SpiffeMtlsHttpHandler(IX509Source source, SpiffeId server, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(source, id => id == server, timeProvider, logger)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var generation = Acquire();
        try
        {
            return await generation.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            generation.Release();
        }
    }

    /// <summary>The inner handler for the current SVID, with one more request counted on it.</summary>
    private Generation Acquire()
    {
        while (true)
        {
            var svid = source.Svid;
            Generation generation;
            lock (_lock)
            {
                if (_current?.Svid != svid)
                {
                    _current?.Retire();
                    _current = new Generation(svid, CreateInner(svid));
                }
                generation = _current;
            }
            if (generation.TryAddRequest())
                return generation;
        }
    }

    private SocketsHttpHandler CreateInner(X509SvidCredential svid) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificateContext = svid.TlsContext,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                var result = SpiffePeerValidation.Validate(certificate, chain, source.Bundles, _validator);
                if (!result.IsValid)
                    _log.LogWarning("Refused the server's X.509-SVID: {Error} ({SpiffeId}).", result.Error, result.Id?.ToString() ?? "no SPIFFE ID");
                else if (!authorizeServer(result.Id!))
                    _log.LogWarning("Refused the server {SpiffeId}: not an expected server identity.", result.Id);
                else
                    return true;
                return false;
            },
        },
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _current?.Retire();
                _current = null;
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>One SVID's connection pool and the number of requests in flight on it.</summary>
    private sealed class Generation(X509SvidCredential svid, SocketsHttpHandler handler)
    {
        private int _inFlight;
        private int _retired;
        private int _disposed;

        public X509SvidCredential Svid { get; } = svid;
        public HttpMessageInvoker Invoker { get; } = new(handler, disposeHandler: true);

        /// <summary>False when the generation was retired meanwhile; the caller takes the current one instead.</summary>
        public bool TryAddRequest()
        {
            Interlocked.Increment(ref _inFlight);
            if (Volatile.Read(ref _retired) == 0)
                return true;
            Release();
            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) == 1)
                DisposeOnce();
        }

        public void Retire()
        {
            Interlocked.Exchange(ref _retired, 1); // a full fence: the read below must not move before it
            if (Volatile.Read(ref _inFlight) == 0)
                DisposeOnce();
        }

        private void DisposeOnce()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                Invoker.Dispose();
        }
    }
}
