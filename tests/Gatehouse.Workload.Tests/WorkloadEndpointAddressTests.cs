using System.Net;
using Gatehouse.Workload.Api;

namespace Gatehouse.Workload.Tests;

/// <summary>SPIFFE_Workload_Endpoint §4: the forms SPIFFE_ENDPOINT_SOCKET may take, and those it may not.</summary>
public class WorkloadEndpointAddressTests
{
    [Theory]
    [InlineData("unix:///tmp/agent.sock", "/tmp/agent.sock")]
    [InlineData("unix:///run/spire/sockets/api.sock", "/run/spire/sockets/api.sock")]
    [InlineData("unix:///tmp/with%20space.sock", "/tmp/with space.sock")]
    public void Parse_Unix_SocketPath(string text, string path)
    {
        var address = WorkloadEndpointAddress.Parse(text);

        Assert.Equal(path, address.SocketPath);
        Assert.Null(address.TcpEndPoint);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:8000", "127.0.0.1", 8000)]
    [InlineData("tcp://127.0.0.1:8000/", "127.0.0.1", 8000)]
    [InlineData("tcp://10.0.0.5:1", "10.0.0.5", 1)]
    [InlineData("tcp://[::1]:65535", "::1", 65535)]
    public void Parse_Tcp_IpEndPoint(string text, string ip, int port)
    {
        var address = WorkloadEndpointAddress.Parse(text);

        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), address.TcpEndPoint);
        Assert.Null(address.SocketPath);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/tmp/agent.sock", "scheme unix or tcp")]
    [InlineData("http://127.0.0.1:8000", "scheme 'http' is not supported")]
    [InlineData("unix:/tmp/agent.sock", "must not be opaque")]
    [InlineData("unix:tmp/agent.sock", "must not be opaque")]
    [InlineData("unix://", "must have a socket path")]
    [InlineData("unix:///", "must have a socket path")]
    [InlineData("unix://host/tmp/agent.sock", "must not have a host")]
    [InlineData("unix:///tmp/agent.sock?x=1", "must not have a query")]
    [InlineData("unix:///tmp/agent.sock#frag", "must not have a fragment")]
    [InlineData("unix://user@/tmp/agent.sock", "must not have user info")]
    [InlineData("tcp:127.0.0.1:8000", "must not be opaque")]
    [InlineData("tcp://localhost:8000", "must be an IP address")]
    [InlineData("tcp://example.org:8000", "must be an IP address")]
    [InlineData("tcp://127.0.0.1", "must have a port")]
    [InlineData("tcp://127.0.0.1:", "port between 1 and 65535")]
    [InlineData("tcp://127.0.0.1:0", "port between 1 and 65535")]
    [InlineData("tcp://127.0.0.1:65536", "port between 1 and 65535")]
    [InlineData("tcp://127.0.0.1:http", "port between 1 and 65535")]
    [InlineData("tcp://127.0.0.1:8000/path", "must not have a path")]
    [InlineData("tcp://user:pw@127.0.0.1:8000", "must not have user info")]
    [InlineData("tcp://::1:8000", "in brackets")]
    [InlineData("tcp://:8000", "must have a host")]
    public void Parse_Invalid_RejectedWithReason(string text, string reason)
    {
        Assert.False(WorkloadEndpointAddress.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);

        var ex = Assert.Throws<WorkloadEndpointAddressException>(() => WorkloadEndpointAddress.Parse(text));
        Assert.Contains(reason, ex.Message);
        Assert.Contains($"'{text}'", ex.Message);
    }

    [Fact]
    public void Unix_FromPath_RoundTrips()
    {
        var address = WorkloadEndpointAddress.Unix("/tmp/a.sock");

        Assert.Equal("unix:///tmp/a.sock", address.Text);
        Assert.Equal("/tmp/a.sock", address.SocketPath);
    }
}

/// <summary>Reads SPIFFE_ENDPOINT_SOCKET; kept apart (and not parallel with anything) because it changes the process environment.</summary>
[Collection(nameof(EnvironmentCollection))]
public class WorkloadEndpointEnvironmentTests
{
    [Fact]
    public void FromEnvironment_Set_ParsesIt()
    {
        using var _ = new EnvironmentVariable(WorkloadEndpointAddress.EnvironmentVariable, "tcp://127.0.0.1:8081");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8081), WorkloadEndpointAddress.FromEnvironment().TcpEndPoint);
    }

    [Fact]
    public void FromEnvironment_Unset_ErrorNamesTheVariable()
    {
        using var _ = new EnvironmentVariable(WorkloadEndpointAddress.EnvironmentVariable, null);

        var ex = Assert.Throws<WorkloadEndpointAddressException>(WorkloadEndpointAddress.FromEnvironment);
        Assert.Contains("SPIFFE_ENDPOINT_SOCKET is not set", ex.Message);
    }

    [Fact]
    public void FromEnvironment_Malformed_Rejected()
    {
        using var _ = new EnvironmentVariable(WorkloadEndpointAddress.EnvironmentVariable, "/tmp/agent.sock");

        Assert.Throws<WorkloadEndpointAddressException>(WorkloadEndpointAddress.FromEnvironment);
    }
}

[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

internal sealed class EnvironmentVariable : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentVariable(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
