using System.Diagnostics;
using System.Text;

namespace Gatehouse.Bench.Tests;

/// <summary>
/// Runs the peer benchmark harness in its smoke mode, so that it cannot rot unnoticed: it starts Gatehouse,
/// node-oidc-provider and OpenIddict in turn and checks every operation of the benchmark once (no load, no timings).
/// </summary>
public class PeerHarnessTests
{
    // Generous but bounded: it takes 15 s to 1 min, but the first run installs oidc-provider with npm ci, and under
    // ./test.sh every test assembly runs at once (four cold server starts took over 4 min there on a busy 2-core machine).
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Smoke_mode_starts_every_system_and_each_answers_every_operation()
    {
        var (exitCode, output) = await RunAsync("bench/peers/run", "--smoke", "--configuration", BuildConfiguration());

        Assert.True(exitCode == 0, $"bench/peers/run --smoke exited with {exitCode}:\n{output}");
        foreach (var system in new[] { "gatehouse", "oidc-provider", "openiddict" })
            Assert.Contains($"  {system}: ok", output);
        Assert.Contains("smoke: every system started and answered every operation", output);
    }

    [Theory]
    [InlineData("bench/peers/run")]
    [InlineData("bench/peers/growth")]
    [InlineData("bench/profile")]
    public async Task An_unknown_argument_is_refused(string script)
    {
        var (exitCode, output) = await RunAsync(script, "--no-such-option");

        Assert.Equal(2, exitCode);
        Assert.Contains("unknown argument '--no-such-option'", output);
    }

    /// <summary>The configuration this test assembly was built in: the harness uses the same builds.</summary>
    private static string BuildConfiguration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Gatehouse.slnx not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, params string[] args)
    {
        var root = RepositoryRoot();
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(root, script));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);

        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // TERM first: the harness's trap stops the servers it started by PID and removes its temp dir.
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString()]))
                await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
            lock (output) return (-1, $"timed out after {Timeout}:\n{output}");
        }
        await process.WaitForExitAsync(); // drains the output
        lock (output) return (process.ExitCode, output.ToString());
    }
}
