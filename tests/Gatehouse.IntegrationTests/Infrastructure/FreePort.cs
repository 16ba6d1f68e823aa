using System.Net;
using System.Net.Sockets;

namespace Gatehouse.IntegrationTests.Infrastructure;

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

    public static bool IsListening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
