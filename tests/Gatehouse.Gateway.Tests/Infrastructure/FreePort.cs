using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Gateway.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A port that was free a moment ago: the kernel's pick for 127.0.0.1:0.</summary>
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
