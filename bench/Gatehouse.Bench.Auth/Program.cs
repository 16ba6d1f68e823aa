// The load driver of bench/auth-run (see DriverOptions.Help and docs/benchmarks.md).
using System.Globalization;
using Gatehouse.Bench.Auth;

if (args is [] or ["--help"] or ["-h"])
{
    Console.WriteLine(DriverOptions.Help);
    return args is [] ? 2 : 0;
}
var (options, error) = DriverOptions.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync($"gatehouse-bench-auth: {error} (try --help)");
    return 2;
}

var users = Enumerable.Range(0, options.Concurrency).Select(i => new VirtualUser(options, i)).ToArray();
try
{
    if (options.Once)
    {
        try
        {
            var tokens = await users[0].LoginAsync(CancellationToken.None);
            await users[0].RefreshAsync(tokens, CancellationToken.None);
            await users[0].ClientCredentialsAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is FlowException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"gatehouse-bench-auth: {e.Message}");
            return 1;
        }
        Console.WriteLine("ok: login, refresh and client_credentials checked");
        return 0;
    }

    var server = options.ServerPid is { } pid ? new ServerProcess(pid, options.ClockTicks) : null;
    var phase = new LoadPhase(options, server);
    var chains = new TokenSet?[options.Concurrency];
    var none = CancellationToken.None;
    Task Nothing(int i) => Task.CompletedTask;
    var baseline = await phase.RunAsync("client_credentials grant (baseline)", Nothing, i => users[i].ClientCredentialsAsync(none));
    var logins = await phase.RunAsync("full login (code flow, PKCE)", Nothing, i => users[i].LoginAsync(none));
    // Each virtual user refreshes its own chain with the newest token, starting from a login before the warm-up; a chain
    // broken by an error starts again with a login outside the timing.
    await Task.WhenAll(users.Select(async (user, i) => chains[i] = await user.LoginAsync(none)));
    var refreshes = await phase.RunAsync("refresh_token grant (rotation)",
        async i => chains[i] ??= await users[i].LoginAsync(none),
        async i =>
        {
            var current = chains[i]!;
            chains[i] = null;
            chains[i] = await users[i].RefreshAsync(current, none);
        });
    foreach (var r in new[] { baseline, logins, refreshes })
    {
        Console.WriteLine(string.Join('|', "row", r.Operation + options.Label, r.OperationsPerSecond.ToString("F1", CultureInfo.InvariantCulture),
            r.P50Ms.ToString("F2", CultureInfo.InvariantCulture), r.P99Ms.ToString("F2", CultureInfo.InvariantCulture), r.Errors,
            r.ServerCpuMicros.ToString("F0", CultureInfo.InvariantCulture), r.DriverCpuMicros.ToString("F0", CultureInfo.InvariantCulture), r.Count));
    }
    if (server is not null)
        Console.WriteLine($"rss|{server.PeakRssMiB().ToString("F0", CultureInfo.InvariantCulture)}");
    return 0;
}
finally
{
    foreach (var user in users)
        user.Dispose();
}
