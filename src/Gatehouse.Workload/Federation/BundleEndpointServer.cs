using System.Net;
using System.Net.Security;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.X509;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Federation;

/// <summary>
/// The SPIFFE bundle endpoint (SPIFFE_Trust_Domain_and_Bundle §5): HTTPS, <c>GET /</c> answers the trust domain's
/// current bundle as a SPIFFE JWK Set, so that other trust domains can federate with this one.
/// </summary>
public static class BundleEndpointServer
{
    /// <summary>
    /// The <c>https_spiffe</c> profile (§5.2.2): the endpoint authenticates with an X.509-SVID for
    /// <paramref name="endpointId"/> issued by <paramref name="ca"/>, reissued at half its life and picked per connection.
    /// </summary>
    public static WebApplication CreateHttpsSpiffe(WorkloadCaManager ca, SpiffeId endpointId, IPEndPoint listen)
    {
        var certificate = new RenewingSvid(ca, endpointId);
        return Create(ca, listen, () => certificate.Current);
    }

    /// <summary>The <c>https_web</c> profile (§5.2.1): the endpoint authenticates with a Web PKI certificate.</summary>
    public static WebApplication CreateHttpsWeb(WorkloadCaManager ca, SslStreamCertificateContext webCertificate, IPEndPoint listen) =>
        Create(ca, listen, () => webCertificate);

    private static WebApplication Create(WorkloadCaManager ca, IPEndPoint listen, Func<SslStreamCertificateContext> certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen, l => l.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = certificate() }),
        })));
        var app = builder.Build();
        // §5.1: the bundle is fetched with GET; it is public information, served to anyone.
        app.MapGet("/", () => Results.Text(ca.Bundle.ToJson(), "application/json"));
        return app;
    }
}
