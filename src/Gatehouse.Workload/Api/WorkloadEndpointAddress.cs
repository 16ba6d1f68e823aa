using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Workload.Api;

/// <summary>
/// Where the Workload API listens, as SPIFFE_Workload_Endpoint §4 writes it in <c>SPIFFE_ENDPOINT_SOCKET</c>:
/// <c>unix:///absolute/path</c> or <c>tcp://IP:port</c> (an IP literal, never a host name). Anything else is
/// rejected with a reason, never guessed at.
/// </summary>
public sealed record WorkloadEndpointAddress
{
    /// <summary>The environment variable a workload reads to find the endpoint (SPIFFE_Workload_Endpoint §4).</summary>
    public const string EnvironmentVariable = "SPIFFE_ENDPOINT_SOCKET";

    private WorkloadEndpointAddress(string text, string? socketPath, IPEndPoint? tcp)
    {
        Text = text;
        SocketPath = socketPath;
        TcpEndPoint = tcp;
    }

    /// <summary>The address as given.</summary>
    public string Text { get; }

    /// <summary>The Unix socket path for a <c>unix:</c> address, else null.</summary>
    public string? SocketPath { get; }

    /// <summary>The IP end point for a <c>tcp:</c> address, else null.</summary>
    public IPEndPoint? TcpEndPoint { get; }

    public EndPoint EndPoint => SocketPath is not null ? new UnixDomainSocketEndPoint(SocketPath) : TcpEndPoint!;

    public override string ToString() => Text;

    public static WorkloadEndpointAddress Unix(string socketPath) => Parse("unix://" + Path.GetFullPath(socketPath));

    public static WorkloadEndpointAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new WorkloadEndpointAddressException(text, error);

    /// <summary>The address in <c>SPIFFE_ENDPOINT_SOCKET</c>; throws when it is unset or malformed.</summary>
    public static WorkloadEndpointAddress FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(value))
            throw new WorkloadEndpointAddressException("", $"{EnvironmentVariable} is not set; set it to unix:///path/to/agent.sock or tcp://127.0.0.1:PORT");
        return Parse(value);
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out WorkloadEndpointAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        error = Check(text ?? "", out var socketPath, out var tcp);
        if (error is not null)
            return false;
        address = new WorkloadEndpointAddress(text!, socketPath, tcp);
        return true;
    }

    private static string? Check(string text, out string? socketPath, out IPEndPoint? tcp)
    {
        socketPath = null;
        tcp = null;
        if (text.Length == 0)
            return "the address is empty";
        var colon = text.IndexOf(':');
        if (colon <= 0)
            return "the address must be a URI with scheme unix or tcp";
        var scheme = text[..colon];
        if (scheme is not ("unix" or "tcp"))
            return $"scheme '{scheme}' is not supported; use unix:///path or tcp://IP:port";
        if (!text.AsSpan(colon + 1).StartsWith("//"))
            return $"a {scheme} address must not be opaque; write {scheme}://…";
        if (text.Contains('?'))
            return "the address must not have a query";
        if (text.Contains('#'))
            return "the address must not have a fragment";

        var rest = text[(colon + 3)..];
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[slash..];
        if (authority.Contains('@'))
            return "the address must not have user info";

        if (scheme == "unix")
        {
            if (authority.Length > 0)
                return $"a unix address must not have a host ('{authority}'); write unix:///absolute/path";
            if (path.Length <= 1)
                return "a unix address must have a socket path";
            socketPath = Uri.UnescapeDataString(path);
            return null;
        }

        if (path.Length > 0 && path != "/")
            return "a tcp address must not have a path";
        var portColon = authority.LastIndexOf(':');
        if (portColon < 0 || (authority.StartsWith('[') && !authority[..portColon].EndsWith(']')))
            return "a tcp address must have a port";
        var bracketed = authority.StartsWith('[');
        var host = authority[..portColon].Trim('[', ']');
        if (host.Contains(':') && !bracketed)
            return "an IPv6 host must be in brackets: tcp://[::1]:PORT";
        if (host.Length == 0)
            return "a tcp address must have a host";
        if (!IPAddress.TryParse(host, out var ip) || host.Any(c => !(char.IsAsciiHexDigit(c) || c is '.' or ':')))
            return $"a tcp address host must be an IP address, not '{host}'";
        var port = authority[(portColon + 1)..];
        if (port.Length == 0 || !port.All(char.IsAsciiDigit) || !int.TryParse(port, out var number) || number is < 1 or > 65535)
            return $"a tcp address must have a port between 1 and 65535, not '{port}'";
        tcp = new IPEndPoint(ip, number);
        return null;
    }
}

/// <summary>An endpoint address that SPIFFE_Workload_Endpoint §4 does not allow.</summary>
public sealed class WorkloadEndpointAddressException(string address, string reason)
    : FormatException($"Invalid Workload API address '{address}': {reason}.")
{
    public string Address { get; } = address;
    public string Reason { get; } = reason;
}
