using System.Diagnostics;
using System.Net;
using System.Text;

namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>The outcome of a gatehouse command that ran to completion.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, string Description)
{
    public override string ToString() => Description;
}

/// <summary>
/// One real <c>dotnet gatehouse.dll ...</c> process: stdout and stderr captured, environment scrubbed of
/// Gatehouse settings of the test runner, and killed (with its children, by PID) on dispose if still running.
/// </summary>
public sealed class GatehouseProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);

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

    public string Stdout
    {
        get { lock (_gate) return _stdout.ToString(); }
    }

    public string Stderr
    {
        get { lock (_gate) return _stderr.ToString(); }
    }

    public static GatehouseProcess Start(IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var arguments = args.ToArray();
        var info = new ProcessStartInfo(GatehouseBinary.DotnetHost)
        {
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(GatehouseBinary.Dll);
        foreach (var arg in arguments)
            info.ArgumentList.Add(arg);

        // The child sees configuration only from its file and from what the test passes explicitly.
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (name.StartsWith("Gatehouse", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("DOTNET_URLS", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("URLS", StringComparison.OrdinalIgnoreCase))
                info.Environment.Remove(name);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[name] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new GatehouseProcess(process, "gatehouse " + string.Join(' ', arguments.Select(Quote)));
        process.OutputDataReceived += (_, e) => result.Append(result._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(result._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs a command to completion (killing it after <paramref name="timeout"/>).</summary>
    /// <param name="standardInput">Written to the command's standard input, which is then closed.</param>
    public static async Task<CommandResult> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? standardInput = null)
    {
        await using var process = Start(args, workingDirectory, environment);
        if (standardInput is not null)
        {
            await process._process.StandardInput.WriteAsync(standardInput);
            process._process.StandardInput.Close();
        }
        var exitCode = await process.WaitForExitAsync(timeout ?? DefaultCommandTimeout);
        return new CommandResult(exitCode, process.Stdout, process.Stderr, process.Describe());
    }

    /// <exception cref="TimeoutException">The process still runs after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // Also waits until the redirected streams reached end of file, so the captured output is complete.
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Still running after {timeout}: {Describe()}");
        }
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="path"/> until it answers 200; fails early if the process exits.</summary>
    public async Task WaitForHttpOkAsync(Uri baseAddress, string path = "/health/live", TimeSpan? timeout = null)
    {
        using var http = TestHttp.Create(baseAddress, TimeSpan.FromSeconds(5));
        var deadline = DateTime.UtcNow + (timeout ?? DefaultStartTimeout);
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new ProcessExitedException(Describe(), Stdout + Stderr);
            }
            try
            {
                using var response = await http.GetAsync(path);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
                last = response.StatusCode;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{path} did not answer 200 within {timeout ?? DefaultStartTimeout} (last status {last?.ToString() ?? "none"}): {Describe()}");
    }

    /// <summary>Polls the captured stdout until it contains <paramref name="text"/>.</summary>
    public async Task WaitForStdoutAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow >= deadline || _process.HasExited)
                throw new TimeoutException($"stdout never contained '{text}': {Describe()}");
            await Task.Delay(50);
        }
    }

    public string Describe()
    {
        var state = _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
        return $"{_commandLine} (pid {_process.Id}, {state}){Environment.NewLine}--- stdout ---{Environment.NewLine}{Stdout}--- stderr ---{Environment.NewLine}{Stderr}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
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

    private static string Quote(string arg) => arg.Contains(' ') ? $"\"{arg}\"" : arg;
}

public sealed class ProcessExitedException(string description, string output)
    : Exception("The process exited before it was ready: " + description)
{
    public bool PortInUse { get; } = output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
}
