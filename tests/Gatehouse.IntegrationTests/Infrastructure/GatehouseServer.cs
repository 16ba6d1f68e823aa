namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>How to start a serving process on a given port.</summary>
public sealed record ServerLaunch(string[] Args, string? WorkingDirectory = null);

/// <summary>A running gatehouse server process on a loopback port, ready (or live) before the caller gets it.</summary>
public sealed class GatehouseServer : IAsyncDisposable
{
    private GatehouseServer(GatehouseProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public GatehouseProcess Process { get; }
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public HttpClient CreateClient() => TestHttp.Create(BaseAddress);

    /// <summary>
    /// Picks a free port, lets <paramref name="launch"/> build the command for it (writing a configuration if needed) and
    /// waits for <paramref name="waitPath"/> to answer 200. The port is only free "a moment ago", so a bind conflict is retried.
    /// </summary>
    public static async Task<GatehouseServer> StartAsync(Func<int, ServerLaunch> launch, string waitPath = "/health/ready", TimeSpan? timeout = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var spec = launch(port);
            var process = GatehouseProcess.Start(spec.Args, spec.WorkingDirectory);
            try
            {
                await process.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{port}"), waitPath, timeout);
                return new GatehouseServer(process, port);
            }
            catch (ProcessExitedException e) when (e.PortInUse && attempt < 3)
            {
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
