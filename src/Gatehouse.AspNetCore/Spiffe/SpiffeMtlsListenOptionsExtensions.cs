using System.Net.Security;
using System.Security.Authentication;
using Gatehouse.Protocol.Spiffe;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.AspNetCore.Spiffe;

public static class SpiffeMtlsListenOptionsExtensions
{
    /// <summary>
    /// Serves this endpoint over mutual TLS with X.509-SVIDs: the server certificate is the source's current SVID,
    /// taken per connection (rotation needs no restart); a client certificate is required and must be a valid
    /// X.509-SVID of a trust domain in the source's bundles, or the handshake fails. Which caller may call which
    /// endpoint is decided later, per endpoint, with <c>RequireSpiffeId</c>; or, for a listener only certain workloads
    /// may reach at all, at the handshake with <paramref name="authorizeClient"/> (another valid SVID then fails the
    /// handshake like an invalid one, before any request is read).
    /// </summary>
    public static ListenOptions UseSpiffeMtls(this ListenOptions listen, IX509Source source, Func<SpiffeId, bool>? authorizeClient = null)
    {
        var services = listen.ApplicationServices;
        var validator = new X509SvidValidator(services.GetService<TimeProvider>() ?? TimeProvider.System);
        var log = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(SpiffeMtlsListenOptionsExtensions).FullName!) ?? NullLogger.Instance;

        return listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context =>
            {
                var connection = context.Connection;
                return ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = source.Svid.TlsContext,
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    {
                        var result = SpiffePeerValidation.Validate(certificate, chain, source.Bundles, validator);
                        if (!result.IsValid)
                        {
                            log.LogWarning("Refused a client X.509-SVID from {Remote}: {Error} ({SpiffeId}).",
                                connection.RemoteEndPoint, result.Error, result.Id?.ToString() ?? "no SPIFFE ID");
                            return false;
                        }
                        if (authorizeClient is not null && !authorizeClient(result.Id!))
                        {
                            log.LogWarning("Refused the client {SpiffeId} from {Remote}: not an allowed caller of this listener.", result.Id, connection.RemoteEndPoint);
                            return false;
                        }
                        connection.Features.Set(new SpiffePeerFeature(result.Id!));
                        return true;
                    },
                });
            },
        });
    }
}
