using System.Diagnostics;
using System.Net;
using System.Text;

namespace Gatehouse.Gateway.Tests.Infrastructure;

/// <summary>
/// One real <c>dotnet gatehouse.dll ...</c> process (pattern of the integration tests' helper): output captured,
/// Gatehouse settings of the runner scrubbed, killed by PID on dispose.
/// </summary>
public sealed class GatehouseProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly object _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private GatehouseProcess(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Stdout { get { lock (_gate) return _stdout.ToString(); } }
    public string Stderr { get { lock (_gate) return _stderr.ToString(); } }

    public static string Dll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var root = output;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Gatehouse.slnx")))
                root = root.Parent;
            if (root is null)
                throw new InvalidOperationException($"Gatehouse.slnx not found above {output.FullName}.");
            var dll = Path.Combine(root.FullName, "src", "Gatehouse", "bin", output.Parent!.Name, output.Name, "gatehouse.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} does not exist; build Gatehouse.slnx first.");
        }
    }

    public static GatehouseProcess Start(params string[] args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (name.StartsWith("Gatehouse", StringComparison.OrdinalIgnoreCase) || name.EndsWith("URLS", StringComparison.OrdinalIgnoreCase))
                info.Environment.Remove(name);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new GatehouseProcess(process, "gatehouse " + string.Join(' ', args));
        process.OutputDataReceived += (_, e) => result.Append(result._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(result._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Still running after {timeout}: {Describe()}");
        }
        return _process.ExitCode;
    }

    public async Task WaitForHttpOkAsync(Uri address, TimeSpan? timeout = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException("The process exited before it was ready: " + Describe());
            try
            {
                using var response = await http.GetAsync(address);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{address} did not answer 200: {Describe()}");
    }

    public string Describe() =>
        $"{_commandLine} (pid {_process.Id}, {(_process.HasExited ? $"exited with {_process.ExitCode}" : "running")})\n--- stdout ---\n{Stdout}--- stderr ---\n{Stderr}";

    /// <summary>Kills this process (by its PID) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
            return;
        lock (_gate)
            target.AppendLine(line);
    }
}
