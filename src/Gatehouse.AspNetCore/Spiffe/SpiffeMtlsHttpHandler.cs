using System.Net.Security;
using Gatehouse.Protocol.Spiffe;
using Microsoft.Extensions.Logging;

namespace Gatehouse.AspNetCore.Spiffe;

/// <summary>
/// An HttpClient handler for calling another workload over mutual TLS (see <see cref="SpiffeTlsClient"/>): presents
/// the current X.509-SVID and accepts the server by its X.509-SVID and SPIFFE ID, not by the URL's host name.
/// </summary>
/// <remarks>
/// SocketsHttpHandler fixes its client certificate when a connection pool is created, so each SVID gets its own
/// inner handler: after a rotation new requests go through a fresh pool (new connections, new SVID) while requests
/// already sent finish on the old one, which is disposed when the last of them completes.
/// <paramref name="createPool"/> makes each of those handlers with other settings than HttpClient's defaults (a reverse
/// proxy wants no cookies, redirects or decompression); its SslOptions are then replaced by the SVID's.
/// </remarks>
public sealed class SpiffeMtlsHttpHandler(SpiffeTlsClient tls, Func<SocketsHttpHandler>? createPool = null) : HttpMessageHandler
{
    private readonly Lock _lock = new();
    private Generation? _current;

    public SpiffeMtlsHttpHandler(IX509Source source, Func<SpiffeId, bool> authorizeServer, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(new SpiffeTlsClient(source, authorizeServer, timeProvider, logger))
    {
    }

    /// <summary>A handler that accepts exactly one server SPIFFE ID.</summary>
    public SpiffeMtlsHttpHandler(IX509Source source, SpiffeId server, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(new SpiffeTlsClient(source, server, timeProvider, logger))
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // An http URL would go out without TLS, hence without either side's SVID: fail instead of silently downgrading.
        if (request.RequestUri?.Scheme != Uri.UriSchemeHttps)
            throw new HttpRequestException($"SPIFFE mTLS needs an https URL, not '{request.RequestUri}'.");
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
            var svid = tls.Source.Svid;
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

    private SocketsHttpHandler CreateInner(X509SvidCredential svid)
    {
        var ssl = new SslClientAuthenticationOptions();
        tls.Configure(ssl, svid);
        var handler = createPool?.Invoke() ?? new SocketsHttpHandler();
        handler.SslOptions = ssl;
        return handler;
    }

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
