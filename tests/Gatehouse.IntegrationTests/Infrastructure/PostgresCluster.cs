using System.Diagnostics;

namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>
/// A throw-away PostgreSQL cluster a test configures itself (TLS files, pg_hba.conf) and starts on a free
/// 127.0.0.1 port, as test.sh does for the shared one: binaries from GATEHOUSE_TEST_PGBIN or the newest
/// /usr/lib/postgresql/*/bin; as root, run as the postgres user (initdb refuses root); under /tmp so that every
/// parent directory is traversable by that user. The admin connection is the Unix socket with trust.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly bool IsRoot = Environment.UserName == "root";
    private readonly string _bin;
    private readonly string _run;
    private bool _started;

    private PostgresCluster(string bin, string run)
    {
        _bin = bin;
        _run = run;
    }

    public string DataDirectory => Path.Combine(_run, "data");

    public int Port { get; private set; }

    /// <summary>The superuser over the Unix socket (pg_hba: <c>local all postgres trust</c>).</summary>
    public string AdminConnectionString => $"Host={_run};Port={Port};Username=postgres;Database=postgres";

    /// <summary>Runs initdb; configure with <see cref="WriteFile"/>, then <see cref="StartAsync"/>.</summary>
    public static async Task<PostgresCluster> InitAsync()
    {
        var bin = Environment.GetEnvironmentVariable("GATEHOUSE_TEST_PGBIN") is { Length: > 0 } fromEnv ? fromEnv
            : Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => Version.Parse(Path.GetFileName(Path.GetDirectoryName(d))! + ".0")).LastOrDefault()
              ?? throw new InvalidOperationException("No PostgreSQL binaries: run ./test.sh (it installs PostgreSQL) or set GATEHOUSE_TEST_PGBIN.");
        var run = Directory.CreateDirectory(Path.Combine("/tmp", "gatehouse-pgtls-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(run, (UnixFileMode)0b111_101_101);
        var cluster = new PostgresCluster(bin, run);
        await cluster.OwnAsync();
        await cluster.RunAsync("initdb", "-D", cluster.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        return cluster;
    }

    /// <summary>Writes a file into the data directory, owned by the server's user, with <paramref name="mode"/>.</summary>
    public async Task WriteFile(string name, string content, UnixFileMode mode = (UnixFileMode)0b110_000_000)
    {
        var path = Path.Combine(DataDirectory, name);
        await File.WriteAllTextAsync(path, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
        await OwnAsync();
    }

    /// <summary>Starts the server with <paramref name="settings"/> (<c>-c name=value</c>) on a free port.</summary>
    public async Task StartAsync(params string[] settings)
    {
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort.Next();
            var options = string.Join(' ', new[] { $"-c listen_addresses=127.0.0.1 -p {Port} -k {_run} -c fsync=off" }.Concat(settings.Select(s => "-c " + s)));
            try
            {
                await RunAsync("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(_run, "postgres.log"), "-w", "-t", "60", "-o", options, "start");
                _started = true;
                return;
            }
            catch (InvalidOperationException) when (attempt < 4)
            {
                // Lost a race for the port: try another one.
            }
        }
    }

    /// <summary>Makes the server reread its configuration files and TLS certificates (pg_ctl reload).</summary>
    public Task ReloadAsync() => RunAsync("pg_ctl", "-D", DataDirectory, "reload");

    public string Log => File.Exists(Path.Combine(_run, "postgres.log")) ? File.ReadAllText(Path.Combine(_run, "postgres.log")) : "";

    private Task OwnAsync() => IsRoot ? RunProcessAsync("chown", ["-R", "postgres:postgres", _run]) : Task.CompletedTask;

    private Task RunAsync(string tool, params string[] args) =>
        IsRoot ? RunProcessAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunProcessAsync(Path.Combine(_bin, tool), args);

    private static async Task RunProcessAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
            await RunAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        Directory.Delete(_run, recursive: true);
    }
}
