using System.Diagnostics;
using StackExchange.Redis;

namespace Gatehouse.Gateway.Tests.Infrastructure;

/// <summary>
/// A private redis-server (Debian package) on 127.0.0.1 and a free port, with its own directory, no persistence
/// (<c>--save ''</c>, <c>--appendonly no</c>). Stopped with SHUTDOWN NOSAVE and, if still alive, killed by its PID.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Process _process;

    private RedisServer(string directory, int port, Process process, ConnectionMultiplexer client)
    {
        _directory = directory;
        Port = port;
        _process = process;
        Client = client;
    }

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A test-side connection, for inspecting keys, values and TTLs.</summary>
    public ConnectionMultiplexer Client { get; }
    public IDatabase Database => Client.GetDatabase();
    public bool IsRunning => !_process.HasExited;
    public string Log => File.Exists(Path.Combine(_directory, "redis.log")) ? File.ReadAllText(Path.Combine(_directory, "redis.log")) : "";

    public static string Binary =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is not installed. Fix: apt-get install -y --no-install-recommends redis-server (test.sh does this).");

    public static async Task<RedisServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-redis-").FullName;
        var port = FreePort.Next();
        var info = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--daemonize", "no", "--dir", directory, "--pidfile", Path.Combine(directory, "redis.pid"),
                     "--logfile", Path.Combine(directory, "redis.log"), "--save", "", "--appendonly", "no"])
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
                break;
            try
            {
                var client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},connectTimeout=500,abortConnect=true,allowAdmin=true");
                await client.GetDatabase().PingAsync();
                return new RedisServer(directory, port, process, client);
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50);
            }
        }
        var log = File.Exists(Path.Combine(directory, "redis.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "redis.log")) : "";
        Kill(process);
        process.Dispose();
        throw new InvalidOperationException($"redis-server did not start on 127.0.0.1:{port}: {log}");
    }

    /// <summary>
    /// Waits until <paramref name="key"/> exists: HybridCache may write to Redis just after it has handed the value to
    /// the request, so the entry can land a few milliseconds after the response.
    /// </summary>
    public async Task WaitForKeyAsync(string key)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await Database.KeyExistsAsync(key))
                return;
            await Task.Delay(50);
        }
        Assert.Fail($"{key} did not appear in Redis within 5 s");
    }

    /// <summary>Every key with its value(s) as text (HybridCache over RedisCache stores hashes).</summary>
    public async Task<Dictionary<string, string>> DumpAsync()
    {
        var server = Client.GetServer("127.0.0.1", Port);
        var dump = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            var type = await Database.KeyTypeAsync(key);
            dump[key!] = type switch
            {
                RedisType.Hash => string.Join("\n", (await Database.HashGetAllAsync(key)).Select(e => $"{e.Name}={System.Text.Encoding.Latin1.GetString((byte[])e.Value!)}")),
                RedisType.String => System.Text.Encoding.Latin1.GetString((byte[])(await Database.StringGetAsync(key))!),
                _ => type.ToString(),
            };
        }
        return dump;
    }

    /// <summary>SHUTDOWN NOSAVE on this server's port, then waits for the process to exit (killed by PID if it does not).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        try
        {
            await Database.ExecuteAsync("SHUTDOWN", "NOSAVE");
        }
        catch (RedisException)
        {
            // The connection drops as the server exits.
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(_process);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill();
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Client.DisposeAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
