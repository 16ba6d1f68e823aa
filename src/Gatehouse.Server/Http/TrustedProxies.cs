using System.Net;
using Gatehouse.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Gatehouse.Server.Http;

/// <summary>
/// Behind a TLS-terminating ingress the server sees the proxy's address and plain http. X-Forwarded-For and
/// X-Forwarded-Proto are believed only from the proxies listed in <c>Gatehouse:ForwardedHeaders:TrustedProxies</c>, so
/// that the session cookie is Secure and the sign-in rate limit counts the real client; from anyone else they are
/// ignored, or any client could pick its own address.
/// </summary>
public static class TrustedProxies
{
    /// <summary>An address (<c>10.0.0.7</c>) or a network in CIDR notation (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public static bool TryParse(string value, out IPNetwork network)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }
        return IPNetwork.TryParse(value, out network);
    }

    /// <summary>Adds the forwarded-headers middleware when proxies are listed; without any, nothing changes.</summary>
    public static void UseTrustedProxies(this WebApplication app, ForwardedHeadersSettings settings)
    {
        if (settings.TrustedProxies.Count == 0)
            return;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Only the hop in front of us: a longer chain needs each proxy listed, or a client could forge the rest.
            ForwardLimit = 1,
        };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in settings.TrustedProxies)
        {
            TryParse(proxy, out var network);
            options.KnownIPNetworks.Add(network);
        }
        app.UseForwardedHeaders(options);
    }
}
