using System.Diagnostics;
using System.Text;
using Gatehouse.Workload.Api;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Workload.Helper;

/// <summary>
/// The SVID sidecar: follows the agent's FetchX509SVID stream and, on every message, atomically rewrites the
/// certificate, key and bundle files in cert_dir, fetches the configured JWT-SVIDs, then signals the configured
/// process and runs the configured command. Reconnects with backoff when the agent goes away or denies the caller.
/// </summary>
public sealed class SvidHelper(SvidHelperOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
{
    private readonly ILogger _log = logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _updates;

    /// <summary>Shortest wait before reconnecting after a failure; doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>True once the X.509-SVID files (and every configured JWT-SVID file) have been written.</summary>
    public bool IsReady => _firstWrite.Task.IsCompleted;

    /// <summary>Completes when the first complete set of files is written.</summary>
    public Task FirstWrite => _firstWrite.Task;

    /// <summary>How many X.509-SVID updates have been written.</summary>
    public int Updates => Volatile.Read(ref _updates);

    /// <summary>Runs until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        Directory.CreateDirectory(options.CertDir!);
        var address = options.ResolveAgentAddress();
        var backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new WorkloadApiClient(address);
                using var jwtRefresh = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task? jwtLoop = null;
                try
                {
                    await foreach (var response in client.WatchX509SvidsAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var files = SvidPemFiles.From(response);
                        WriteX509(files);
                        if (options.JwtSvids.Count > 0)
                        {
                            var jwtRefreshAt = await WriteJwtSvidsAsync(client, cancellationToken).ConfigureAwait(false);
                            jwtLoop ??= RefreshJwtSvidsAsync(client, jwtRefreshAt, jwtRefresh.Token);
                        }
                        var count = Interlocked.Increment(ref _updates);
                        _log.LogInformation("Wrote X.509-SVID {SpiffeId} to {CertDir} (update {Count}).", files.SpiffeId, options.CertDir, count);
                        _firstWrite.TrySetResult();
                        backoff = MinBackoff;
                        Renewed();
                    }
                }
                finally
                {
                    await jwtRefresh.CancelAsync().ConfigureAwait(false);
                    if (jwtLoop is not null)
                        await jwtLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                _log.LogWarning("The agent at {Address} ended the X.509-SVID stream; reconnecting.", address);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException or InvalidDataException or System.Net.Http.HttpRequestException)
            {
                _log.LogWarning("Workload API at {Address}: {Error}; retrying in {Backoff}.", address, Describe(e), backoff);
            }
            try
            {
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void WriteX509(SvidPemFiles files)
    {
        // Key first: a reader that sees a new certificate finds its key already in place.
        AtomicFile.Write(PathOf(options.SvidKeyFileName), Encoding.ASCII.GetBytes(files.PrivateKey), AtomicFile.Private);
        AtomicFile.Write(PathOf(options.SvidFileName), Encoding.ASCII.GetBytes(files.Certificates), AtomicFile.Public);
        AtomicFile.Write(PathOf(options.SvidBundleFileName), Encoding.ASCII.GetBytes(files.Bundle), AtomicFile.Public);
    }

    /// <summary>Fetches one JWT-SVID per configured audience; returns when the earliest should be refreshed (half its life).</summary>
    private async Task<DateTimeOffset> WriteJwtSvidsAsync(WorkloadApiClient client, CancellationToken cancellationToken)
    {
        var refreshAt = DateTimeOffset.MaxValue;
        foreach (var jwt in options.JwtSvids)
        {
            var svids = await client.FetchJwtSvidsAsync([jwt.JwtAudience!], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (svids.Count == 0)
                throw new InvalidDataException($"The agent returned no JWT-SVID for audience {jwt.JwtAudience}.");
            var token = svids[0].Svid;
            AtomicFile.Write(PathOf(jwt.JwtSvidFileName!), Encoding.ASCII.GetBytes(token), AtomicFile.Private);
            var parsed = new JsonWebToken(token);
            var half = parsed.IssuedAt + (parsed.ValidTo - parsed.IssuedAt) / 2;
            var at = new DateTimeOffset(DateTime.SpecifyKind(half, DateTimeKind.Utc));
            refreshAt = at < refreshAt ? at : refreshAt;
        }
        return refreshAt;
    }

    /// <summary>JWT-SVIDs live shorter than X.509-SVIDs: refetch each at half its life, between X.509 updates too.</summary>
    private async Task RefreshJwtSvidsAsync(WorkloadApiClient client, DateTimeOffset refreshAt, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = refreshAt - _time.GetUtcNow();
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
                refreshAt = await WriteJwtSvidsAsync(client, cancellationToken).ConfigureAwait(false);
                _log.LogInformation("Refreshed {Count} JWT-SVID file(s).", options.JwtSvids.Count);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException or InvalidDataException or System.Net.Http.HttpRequestException)
            {
                _log.LogWarning("JWT-SVID refresh failed: {Error}; retrying in {Backoff}.", e.Message, MinBackoff);
                refreshAt = _time.GetUtcNow() + MinBackoff;
            }
        }
    }

    /// <summary>After every write: renew_signal to the configured process, then cmd with cmd_args (not awaited).</summary>
    private void Renewed()
    {
        if (options.RenewSignal is not null && TargetPid() is { } pid)
        {
            if (Signals.TrySend(pid, options.RenewSignal, out var error))
                _log.LogInformation("Sent {Signal} to process {Pid}.", options.RenewSignal, pid);
            else
                _log.LogWarning("Could not signal process {Pid}: {Error}.", pid, error);
        }
        if (options.Cmd is not null)
        {
            var start = new ProcessStartInfo(options.Cmd) { UseShellExecute = false };
            foreach (var arg in CommandLineSplitter.Split(options.CmdArgs ?? ""))
                start.ArgumentList.Add(arg);
            try
            {
                var process = Process.Start(start)!;
                _ = process.WaitForExitAsync().ContinueWith(_ =>
                {
                    _log.LogInformation("{Cmd} exited with {ExitCode}.", options.Cmd, process.ExitCode);
                    process.Dispose();
                }, TaskScheduler.Default);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                _log.LogWarning("Could not run {Cmd}: {Error}.", options.Cmd, e.Message);
            }
        }
    }

    private int? TargetPid()
    {
        if (options.Pid is { } pid)
            return pid;
        try
        {
            var text = File.ReadAllText(options.PidFileName!).Trim();
            if (int.TryParse(text, out var fromFile) && fromFile > 0)
                return fromFile;
            _log.LogWarning("pid_file_name {File} does not hold a process id ('{Text}').", options.PidFileName, text);
        }
        catch (IOException e)
        {
            _log.LogWarning("Could not read pid_file_name {File}: {Error}.", options.PidFileName, e.Message);
        }
        return null;
    }

    private static string Describe(Exception e) => e switch
    {
        RpcException { StatusCode: StatusCode.Unavailable } r when r.Status.DebugException is { } inner => $"agent not reachable ({inner.GetBaseException().Message})",
        RpcException r => $"{r.StatusCode}: {r.Status.Detail}",
        _ => e.Message,
    };

    private string PathOf(string fileName) => Path.Combine(options.CertDir!, fileName);
}
