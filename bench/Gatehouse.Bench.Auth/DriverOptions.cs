using System.Globalization;

namespace Gatehouse.Bench.Auth;

/// <summary>The command line of the driver; every number is bounded so that a run cannot go on without end.</summary>
public sealed record DriverOptions
{
    public const string Help = """
        gatehouse-bench-auth: virtual users doing full authorization-code logins and refresh-token grants against a running
        Gatehouse over HTTP, without a browser (used by bench/auth-run, see docs/benchmarks.md).

          --issuer URL            the server's issuer (http://127.0.0.1:PORT); all requests go there
          --client-id ID --client-secret S --redirect-uri URI
                                  a confidential client with authorization_code + refresh_token, RequireConsent=false
          --service-client-id ID --service-client-secret S
                                  a client_credentials client: the baseline row
          --users N --user-prefix P --password PW
                                  seeded users P0..P(N-1), all with password PW; virtual user i signs in as P(i mod N)
          --concurrency C         virtual users (default 16, at most 200); each sends from its own loopback address
                                  127.0.0.(10+i), as users on different machines would
          --duration D --warmup W seconds measured / warmed up per operation (default 10 / 2, at most 300 / 60); a
                                  window is extended until C operations completed, up to max(6 D, 60) seconds
          --server-pid PID        the server process, for CPU time per operation and peak RSS from /proc
          --clock-ticks HZ        USER_HZ of /proc/PID/stat (getconf CLK_TCK, default 100)
          --label TEXT            appended to the operation names in the output
          --once                  one login, one refresh and one client_credentials grant, checked; no load

        Output: one line per operation, 'row|operation|ops/s|p50 ms|p99 ms|errors|server CPU µs/op|driver CPU µs/op|count',
        then 'rss|peak RSS of the server in MiB'. Errors go to stderr. Exit code 1 when --once fails.
        """;

    public required Uri Issuer { get; init; }
    public required string ClientId { get; init; }
    public required string ClientSecret { get; init; }
    public required string RedirectUri { get; init; }
    public required string ServiceClientId { get; init; }
    public required string ServiceClientSecret { get; init; }
    public required string UserPrefix { get; init; }
    public required string Password { get; init; }
    public int Users { get; init; } = 16;
    public int Concurrency { get; init; } = 16;
    public int DurationSeconds { get; init; } = 10;
    public int WarmupSeconds { get; init; } = 2;
    public int? ServerPid { get; init; }
    public int ClockTicks { get; init; } = 100;
    public string Label { get; init; } = "";
    public bool Once { get; init; }

    /// <summary>The options, or an error message for the command line.</summary>
    public static (DriverOptions? Options, string? Error) Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var once = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--once")
                once = true;
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                values[args[i][2..]] = args[++i];
            else
                return (null, $"unexpected argument '{args[i]}'");
        }
        string Required(string name) => values.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new FormatException($"--{name} is required");
        int Number(string name, int fallback, int max)
        {
            if (!values.TryGetValue(name, out var text))
                return fallback;
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n : throw new FormatException($"--{name} must be 1..{max}");
        }
        try
        {
            var options = new DriverOptions
            {
                Issuer = Uri.TryCreate(Required("issuer"), UriKind.Absolute, out var issuer) && issuer.IsLoopback ? issuer : throw new FormatException("--issuer must be a loopback URL"),
                ClientId = Required("client-id"),
                ClientSecret = Required("client-secret"),
                RedirectUri = Required("redirect-uri"),
                ServiceClientId = Required("service-client-id"),
                ServiceClientSecret = Required("service-client-secret"),
                UserPrefix = Required("user-prefix"),
                Password = Required("password"),
                Users = Number("users", 16, 10_000),
                Concurrency = Number("concurrency", 16, 200),
                DurationSeconds = Number("duration", 10, 300),
                WarmupSeconds = Number("warmup", 2, 60),
                ServerPid = values.ContainsKey("server-pid") ? Number("server-pid", 0, int.MaxValue) : null,
                ClockTicks = Number("clock-ticks", 100, 10_000),
                Label = values.GetValueOrDefault("label", ""),
                Once = once,
            };
            var unknown = values.Keys.Except(["issuer", "client-id", "client-secret", "redirect-uri", "service-client-id", "service-client-secret",
                "user-prefix", "password", "users", "concurrency", "duration", "warmup", "server-pid", "clock-ticks", "label"]).FirstOrDefault();
            return unknown is null ? (options, null) : (null, $"unknown option --{unknown}");
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }
    }
}
