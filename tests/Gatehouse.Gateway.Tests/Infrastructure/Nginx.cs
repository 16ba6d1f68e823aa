using System.Diagnostics;

namespace Gatehouse.Gateway.Tests.Infrastructure;

/// <summary>
/// A private nginx (Debian package) with its own prefix directory, bound to 127.0.0.1; stopped with
/// <c>-s quit</c> on that prefix and, if still alive, by the PID in its pid file.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private readonly string _prefix;

    private Nginx(string prefix, int port)
    {
        _prefix = prefix;
        Port = port;
    }

    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public string ErrorLog => File.Exists(Path.Combine(_prefix, "logs", "error.log")) ? File.ReadAllText(Path.Combine(_prefix, "logs", "error.log")) : "";

    public static string Binary =>
        new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("nginx is not installed. Fix: apt-get install -y --no-install-recommends nginx (test.sh does this).");

    /// <param name="servers">The body of the http block after the common settings; {PORT} is replaced by the listen port.</param>
    public static async Task<Nginx> StartAsync(string servers)
    {
        var prefix = Directory.CreateTempSubdirectory("gatehouse-nginx-").FullName;
        Directory.CreateDirectory(Path.Combine(prefix, "logs"));
        Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        var port = FreePort.Next();
        var conf = $$"""
            daemon on; pid nginx.pid; error_log logs/error.log info; worker_processes 1;
            events { worker_connections 128; }
            http {
              access_log logs/access.log;
              client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi; uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
              large_client_header_buffers 4 32k; proxy_buffer_size 32k; proxy_buffers 8 32k;
            {{servers.Replace("{PORT}", port.ToString(System.Globalization.CultureInfo.InvariantCulture))}}
            }
            """;
        await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), conf);
        var nginx = new Nginx(prefix, port);
        var (exit, output) = await RunAsync("-t");
        if (exit != 0)
            throw new InvalidOperationException($"nginx -t failed: {output}\n{conf}");
        (exit, output) = await RunAsync();
        if (exit != 0)
            throw new InvalidOperationException($"nginx failed to start: {output}\n{nginx.ErrorLog}");
        return nginx;

        Task<(int, string)> RunAsync(params string[] extra) => Run(prefix, extra);
    }

    private static async Task<(int ExitCode, string Output)> Run(string prefix, params string[] extra)
    {
        var info = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-p", prefix + "/", "-c", "nginx.conf", .. extra])
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        var pidFile = Path.Combine(_prefix, "nginx.pid");
        int? pid = File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var p) ? p : null;
        await Run(_prefix, "-s", "quit");
        for (var i = 0; i < 50 && File.Exists(pidFile); i++)
            await Task.Delay(100);
        if (pid is { } master && File.Exists(pidFile))
        {
            try
            {
                Process.GetProcessById(master).Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
