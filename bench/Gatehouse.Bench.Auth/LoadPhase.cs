using System.Diagnostics;

namespace Gatehouse.Bench.Auth;

public sealed record PhaseResult(string Operation, double OperationsPerSecond, double P50Ms, double P99Ms, long Errors, double ServerCpuMicros, double DriverCpuMicros, int Count);

/// <summary>
/// Runs one operation on every virtual user in a closed loop. The users run without a break through the warm-up and
/// the measured window, so that the window starts and ends in a steady state: an operation counts when it completes
/// inside the window, and the CPU times are read at its edges. The window lasts the given duration and, when operations
/// are slow (600 000-iteration password hashes on a busy machine), is extended until every virtual user completed one
/// on average, up to <see cref="MaxWindow"/>. Afterwards nothing new starts and the operations in flight are awaited
/// (a cancelled request would leave the server hashing into the next phase); the HTTP timeout bounds that wait.
/// </summary>
public sealed class LoadPhase(DriverOptions options, ServerProcess? server)
{
    private const int ErrorsShown = 3;
    private int _errorsShown;

    private TimeSpan MaxWindow => TimeSpan.FromSeconds(Math.Max(6 * options.DurationSeconds, 60));

    /// <param name="prepare">Untimed work before each operation (e.g. a login when a refresh chain is broken).</param>
    public async Task<PhaseResult> RunAsync(string operation, Func<int, Task> prepare, Func<int, Task> run)
    {
        var latencies = Enumerable.Range(0, options.Concurrency).Select(_ => new List<double>()).ToArray();
        long errors = 0, completed = 0;
        long windowStart = long.MaxValue, windowEnd = long.MaxValue;
        var stopping = false;
        bool InWindow(long timestamp) => timestamp >= Volatile.Read(ref windowStart) && timestamp <= Volatile.Read(ref windowEnd);

        var workers = Enumerable.Range(0, options.Concurrency).Select(i => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stopping))
            {
                try
                {
                    await prepare(i);
                    var began = Stopwatch.GetTimestamp();
                    await run(i);
                    var done = Stopwatch.GetTimestamp();
                    if (InWindow(done))
                    {
                        latencies[i].Add(Stopwatch.GetElapsedTime(began, done).TotalMilliseconds);
                        Interlocked.Increment(ref completed);
                    }
                }
                catch (Exception e)
                {
                    if (InWindow(Stopwatch.GetTimestamp()))
                        Interlocked.Increment(ref errors);
                    if (Interlocked.Increment(ref _errorsShown) <= ErrorsShown)
                        await Console.Error.WriteLineAsync($"{operation}: {e.GetType().Name}: {e.Message}");
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds));
        var serverBefore = server?.CpuTime();
        var driverBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref windowStart, start);
        await Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds));
        while (Interlocked.Read(ref completed) < options.Concurrency && Stopwatch.GetElapsedTime(start) < MaxWindow)
            await Task.Delay(100);
        var end = Stopwatch.GetTimestamp();
        Volatile.Write(ref windowEnd, end);
        var serverAfter = server?.CpuTime();
        var driverAfter = Process.GetCurrentProcess().TotalProcessorTime;
        Volatile.Write(ref stopping, true);
        await Task.WhenAll(workers);

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double PerOperation(TimeSpan cpu) => all.Length == 0 ? 0 : cpu.TotalMicroseconds / all.Length;
        return new PhaseResult(operation, all.Length / Stopwatch.GetElapsedTime(start, end).TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99),
            Interlocked.Read(ref errors), serverBefore is null ? 0 : PerOperation(serverAfter!.Value - serverBefore.Value),
            PerOperation(driverAfter - driverBefore), all.Length);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
