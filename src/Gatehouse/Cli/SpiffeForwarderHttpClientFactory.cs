using System.Diagnostics;
using System.Net;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.Protocol.Spiffe;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Cli;

/// <summary>
/// The gateway's HTTP clients to its clusters, with SPIFFE mTLS where a cluster's metadata names the destination's
/// SPIFFE ID (<c>Clusters:NAME:Metadata:SpiffeId</c>): the gateway presents its own X.509-SVID and accepts the
/// destination only by that ID, never by host name. Other clusters keep YARP's client. The gateway itself knows nothing
/// of SPIFFE: YARP registers its default factory only when none is registered, so the executable registers this one
/// before building the gateway.
/// </summary>
internal sealed class SpiffeForwarderHttpClientFactory(IX509Source source, ILogger<SpiffeForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory
{
    public const string SpiffeIdMetadata = "SpiffeId";

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
    {
        if (context.NewMetadata?.GetValueOrDefault(SpiffeIdMetadata) is not { } value)
            return base.WrapHandler(context, handler);
        if (!SpiffeId.TryParse(value, out var server, out var error) || server!.IsTrustDomainId)
            throw new InvalidOperationException($"Cluster '{context.ClusterId}': Metadata:{SpiffeIdMetadata} '{value}' is not a workload SPIFFE ID ({error}).");
        // SpiffeMtlsHttpHandler keeps one connection pool per SVID (the client certificate is fixed per pool), so
        // YARP's single handler is replaced by pools made the way YARP makes its own.
        handler.Dispose();
        return new SpiffeMtlsHttpHandler(new SpiffeTlsClient(source, server, logger: logger), () => CreatePool(context));
    }

    /// <summary>A pool with the settings of YARP's ForwarderHttpClientFactory.CreateClient and the cluster's HttpClient configuration.</summary>
    private SocketsHttpHandler CreatePool(ForwarderHttpClientContext context)
    {
        var pool = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
        ConfigureHandler(context, pool);
        return pool;
    }
}
