using System.CommandLine;
using System.Net;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Federation;
using Gatehouse.Workload.Helper;
using Gatehouse.Workload.Registration;
using Gatehouse.Workload.Server;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Cli;

/// <summary>
/// <c>gatehouse workload agent</c> (the Workload API on a Unix socket, CA in-process) and
/// <c>gatehouse workload helper</c> (the sidecar that writes SVIDs to files).
/// </summary>
internal static partial class WorkloadCommand
{
    /// <summary>The workload server refused the agent (e.g. its join token).</summary>
    private const int Refused = 1;

    public static Command Create()
    {
        var command = new Command("workload", "SPIFFE workload identities: the Workload API agent, the SVID file helper, and the workload server with its entries and join tokens.");
        command.Subcommands.Add(Agent());
        command.Subcommands.Add(Helper());
        command.Subcommands.Add(WorkloadEntryCommand.Create());
        foreach (var serverCommand in WorkloadServerCommand.Create())
            command.Subcommands.Add(serverCommand);
        return command;
    }

    private static Command Agent()
    {
        var socket = new Option<FileInfo>("--socket")
        {
            Description = "Unix socket to serve the SPIFFE Workload API on (workloads set SPIFFE_ENDPOINT_SOCKET=unix://PATH).",
            Required = true,
        };
        var trustDomain = new Option<string>("--trust-domain")
        {
            Description = "Trust domain to issue SVIDs in, e.g. example.org.",
            Required = true,
        };
        var entries = new Option<FileInfo?>("--entries")
        {
            Description = "JSON file of registration entries: { \"entries\": [ { \"spiffe_id\": \"spiffe://TD/api\", \"selectors\": [\"unix:uid:1000\"] } ] }.",
        };
        var x509Ttl = new Option<int?>("--x509-svid-ttl")
        {
            Description = "Default X.509-SVID lifetime in seconds (default 3600); an entry's x509_svid_ttl overrides it.",
        };
        var jwtTtl = new Option<int?>("--jwt-svid-ttl")
        {
            Description = "Default JWT-SVID lifetime in seconds (default 300); an entry's jwt_svid_ttl overrides it.",
        };
        var bundleEndpoint = new Option<string?>("--bundle-endpoint")
        {
            Description = "Also serve the trust domain's bundle for federation (SPIFFE bundle endpoint, https_spiffe profile) on IP:PORT, e.g. 0.0.0.0:8443.",
        };
        var bundleEndpointId = new Option<string?>("--bundle-endpoint-id")
        {
            Description = "SPIFFE ID whose X.509-SVID the bundle endpoint presents (default spiffe://TRUST_DOMAIN/bundle-endpoint).",
        };
        var server = new Option<string?>("--server")
        {
            Description = "Get SVIDs from a workload server (gatehouse workload server) at this https URL instead of an in-process CA; needs --join-token and --server-bundle.",
        };
        var joinToken = new Option<string?>("--join-token") { Description = "Single-use join token (gatehouse workload token create) to join the --server with." };
        var serverBundle = new Option<FileInfo?>("--server-bundle")
        {
            Description = "PEM file of the trust domain's X.509 authorities (gatehouse workload bundle) to authenticate the --server with at first.",
        };
        var command = new Command("agent", "Run the Workload API agent on a Unix socket; callers are attested by uid/gid/binary path, and with --kubernetes by pod. By default an in-memory workload CA (keys are not persisted) with entries from --entries; with --server, SVIDs from a workload server.")
        {
            socket, trustDomain, entries, x509Ttl, jwtTtl, bundleEndpoint, bundleEndpointId, server, joinToken, serverBundle,
        };
        var kubernetes = new KubernetesAttestationOptions();
        kubernetes.AddTo(command);
        var federate = new FederationOptions();
        federate.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
            var resources = new List<IDisposable>();
            using var disposeResources = new Disposables(resources);
            if (!TrustDomain.TryParse(parse.GetValue(trustDomain), out var td, out var tdError))
                throw new WorkloadCliException($"--trust-domain '{parse.GetValue(trustDomain)}' is not a trust domain name ({tdError}). Fix: pass e.g. example.org.");
            if (parse.GetResult(server) is not null
                && new Option[] { entries, x509Ttl, jwtTtl, bundleEndpoint, bundleEndpointId }.FirstOrDefault(o => parse.GetResult(o) is not null) is { } local)
                throw new WorkloadCliException($"{local.Name} configures the in-process CA and cannot be used with --server (entries and TTLs live in the server's store).");
            if (parse.GetResult(server) is null && (parse.GetResult(joinToken) is not null || parse.GetResult(serverBundle) is not null))
                throw new WorkloadCliException("--join-token and --server-bundle need --server. Fix: add --server https://HOST:PORT.");
            var defaults = new WorkloadCaOptions { TrustDomain = td! };
            var options = new WorkloadCaOptions
            {
                TrustDomain = td!,
                X509SvidTtl = Seconds(parse.GetValue(x509Ttl), "--x509-svid-ttl") ?? defaults.X509SvidTtl,
                JwtSvidTtl = Seconds(parse.GetValue(jwtTtl), "--jwt-svid-ttl") ?? defaults.JwtSvidTtl,
            };

            var store = new InMemoryRegistrationEntryStore();
            if (parse.GetValue(entries) is { } file)
            {
                if (!file.Exists)
                    throw new WorkloadCliException($"Entries file not found: {file.FullName}. Fix: pass an existing file with --entries.");
                foreach (var entry in RegistrationEntryFile.Load(file.FullName, td!))
                    await store.CreateAsync(entry, ct);
            }
            var count = (await store.ListAsync(ct)).Count;
            var endpoint = BundleEndpointOption(parse.GetValue(bundleEndpoint), parse.GetValue(bundleEndpointId), td!);
            var attestor = kubernetes.CreateAttestor(parse, loggers, resources);
            var federation = new WorkloadApiFederation();
            using var poller = federate.CreatePoller(parse, td!, federation, loggers);
            if (parse.GetValue(server) is { } serverUrl)
            {
                return await RunWithServerAsync(parse.GetValue(socket)!.FullName, td!, serverUrl, parse.GetValue(joinToken), parse.GetValue(serverBundle),
                    attestor, federation, poller, loggers, ct);
            }

            var path = parse.GetValue(socket)!.FullName;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var ca = new WorkloadCaManager(options, TimeProvider.System);
            await using var app = WorkloadApiHost.Create(path, ca, store, attestor, federation);
            await app.StartAsync(ct);
            if (!OperatingSystem.IsWindows())
            {
                // Any local process may connect; what it gets is decided by attestation and the entries.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }
            Console.WriteLine($"Workload API: unix://{path} (trust domain {td}, {count} registration entr{(count == 1 ? "y" : "ies")}).");
            await using var bundles = endpoint is { } e ? BundleEndpointServer.CreateHttpsSpiffe(ca, e.Id, e.Listen) : null;
            if (bundles is not null)
            {
                await bundles.StartAsync(ct);
                Console.WriteLine($"Bundle endpoint: {string.Join(", ", bundles.Urls)} (https_spiffe, {endpoint!.Value.Id}).");
            }
            if (poller is not null)
            {
                await poller.StartAsync(ct);
                Console.WriteLine($"Federating with {string.Join(", ", poller.Relationships.Select(r => $"{r.TrustDomain} ({r.Url}, {(r.EndpointId is null ? "https_web" : "https_spiffe")})"))}.");
            }
            if (count == 0)
                Console.WriteLine("No entries: every caller is denied. Pass --entries FILE.");
            Console.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            if (poller is not null)
                await poller.StopAsync(CancellationToken.None);
            return 0;
        }));
        return command;
    }

    /// <summary>The agent with SVIDs from a workload server: join once, then the Workload API over the server's answers.</summary>
    private static async Task<int> RunWithServerAsync(string path, TrustDomain td, string server, string? joinToken, FileInfo? serverBundle,
        IWorkloadAttestor? attestor, WorkloadApiFederation federation, FederatedBundlePoller? poller, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUrl) || serverUrl.Scheme != Uri.UriSchemeHttps)
            throw new WorkloadCliException($"--server '{server}' must be an https URL. Fix: pass e.g. https://127.0.0.1:8444.");
        if (string.IsNullOrEmpty(joinToken))
            throw new WorkloadCliException("--server needs --join-token. Fix: create one with 'gatehouse workload token create' and pass it.");
        if (serverBundle is not { Exists: true })
            throw new WorkloadCliException($"--server needs --server-bundle, an existing PEM file{(serverBundle is null ? "" : $" (not found: {serverBundle.FullName})")}. Fix: write it with 'gatehouse workload bundle'.");
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(serverBundle.FullName);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new WorkloadCliException($"--server-bundle {serverBundle.FullName} is not a PEM file of certificates: {e.Message}");
        }
        if (roots.Count == 0)
            throw new WorkloadCliException($"--server-bundle {serverBundle.FullName} holds no certificate. Fix: write it with 'gatehouse workload bundle'.");

        WorkloadServerClient client;
        try
        {
            client = await WorkloadServerClient.JoinAsync(serverUrl, joinToken, new SpiffeBundle(td, roots), logger: loggers.CreateLogger("gatehouse.workload.agent"), cancellationToken: ct);
        }
        catch (Exception e) when (e is WorkloadServerException or IdentityProviderUnavailableException)
        {
            await Console.Error.WriteLineAsync($"Could not join the workload server at {serverUrl}: {e.Message}");
            return Refused;
        }
        await using (client)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var app = WorkloadApiHost.Create(path, client, attestor, federation);
            await app.StartAsync(ct);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, WorldConnectable); // as in the in-process mode: attestation decides, not socket access
            Console.WriteLine($"Workload API: unix://{path} (trust domain {td}, SVIDs from {serverUrl} as {client.AgentId}).");
            if (poller is not null)
                await poller.StartAsync(ct);
            Console.WriteLine("Press Ctrl+C to stop.");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var follow = client.RunAsync(stop.Token);
            await app.WaitForShutdownAsync(ct);
            await stop.CancelAsync();
            await follow;
            if (poller is not null)
                await poller.StopAsync(CancellationToken.None);
            return 0;
        }
    }

    private const UnixFileMode WorldConnectable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private static (IPEndPoint Listen, SpiffeId Id)? BundleEndpointOption(string? address, string? id, TrustDomain trustDomain)
    {
        if (address is null)
        {
            return id is null ? null
                : throw new WorkloadCliException("--bundle-endpoint-id needs --bundle-endpoint. Fix: add --bundle-endpoint IP:PORT.");
        }
        if (!IPEndPoint.TryParse(address, out var listen) || listen.Port == 0 && !address.EndsWith(":0", StringComparison.Ordinal))
            throw new WorkloadCliException($"--bundle-endpoint '{address}' is not IP:PORT. Fix: pass e.g. 0.0.0.0:8443.");
        var endpointId = SpiffeId.FromPath(trustDomain, "/bundle-endpoint");
        if (id is not null && (!SpiffeId.TryParse(id, out endpointId, out var error) || endpointId!.IsTrustDomainId || endpointId.TrustDomain != trustDomain))
            throw new WorkloadCliException($"--bundle-endpoint-id '{id}' must be a workload SPIFFE ID in {trustDomain}{(error == SpiffeIdError.None ? "" : $" ({error})")}. Fix: pass e.g. spiffe://{trustDomain}/bundle-endpoint.");
        return (listen, endpointId!);
    }

    private static TimeSpan? Seconds(int? seconds, string name) => seconds switch
    {
        null => null,
        <= 0 => throw new WorkloadCliException($"{name} must be a positive number of seconds (got {seconds})."),
        _ => TimeSpan.FromSeconds(seconds.Value),
    };

    private static Command Helper()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "JSON file with spiffe-helper's keys (agent_address, cert_dir, svid_file_name, svid_key_file_name, svid_bundle_file_name, renew_signal, pid_file_name, cmd, cmd_args, jwt_svids, daemon_mode, health_checks). Options below override it.",
        };
        var agentAddress = new Option<string?>("--agent-address") { Description = "agent_address: socket path, unix:///path or tcp://IP:port. Default: SPIFFE_ENDPOINT_SOCKET." };
        var certDir = new Option<string?>("--cert-dir") { Description = "cert_dir: folder to write the files to (created if missing)." };
        var svidFile = new Option<string?>("--svid-file-name") { Description = "svid_file_name: certificate chain, leaf first (default svid.pem, mode 0644)." };
        var keyFile = new Option<string?>("--svid-key-file-name") { Description = "svid_key_file_name: PKCS#8 private key (default svid_key.pem, mode 0600)." };
        var bundleFile = new Option<string?>("--svid-bundle-file-name") { Description = "svid_bundle_file_name: trust bundle (default svid_bundle.pem, mode 0644)." };
        var renewSignal = new Option<string?>("--renew-signal") { Description = "renew_signal: signal sent after every write (SIGHUP, SIGUSR1, ...)." };
        var pid = new Option<int?>("--pid") { Description = "Process to send renew_signal to." };
        var pidFile = new Option<string?>("--pid-file-name") { Description = "pid_file_name: file holding the process id to send renew_signal to (read at each renewal)." };
        var cmd = new Option<string?>("--cmd") { Description = "cmd: program run after every write." };
        var cmdArgs = new Option<string?>("--cmd-args") { Description = "cmd_args: its arguments as one string (quotes group, no shell expansion)." };
        var jwt = new Option<string[]>("--jwt-svid")
        {
            Description = "AUDIENCE=FILE: also write a JWT-SVID for AUDIENCE to FILE in cert_dir (mode 0600), refreshed at half its life. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var healthPort = new Option<int?>("--health-port") { Description = "Serve /live and /ready on 127.0.0.1:PORT (health_checks.bind_port; 0 picks a free port)." };
        var once = new Option<bool>("--once") { Description = "Write the files once and exit (daemon_mode = false)." };
        var command = new Command("helper", "Run the SVID helper: follow the Workload API and keep the X.509-SVID, its key, the bundle (and JWT-SVIDs) written to files, atomically.")
        {
            config, agentAddress, certDir, svidFile, keyFile, bundleFile, renewSignal, pid, pidFile, cmd, cmdArgs, jwt, healthPort, once,
        };
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            var file = parse.GetValue(config);
            if (file is { Exists: false })
                throw new WorkloadCliException($"Configuration file not found: {file.FullName}. Fix: pass an existing file with --config.");
            var options = file is null ? new SvidHelperOptions() : SvidHelperOptions.Load(file.FullName);
            options.AgentAddress = parse.GetValue(agentAddress) ?? options.AgentAddress;
            options.CertDir = parse.GetValue(certDir) ?? options.CertDir;
            options.SvidFileName = parse.GetValue(svidFile) ?? options.SvidFileName;
            options.SvidKeyFileName = parse.GetValue(keyFile) ?? options.SvidKeyFileName;
            options.SvidBundleFileName = parse.GetValue(bundleFile) ?? options.SvidBundleFileName;
            options.RenewSignal = parse.GetValue(renewSignal) ?? options.RenewSignal;
            options.Pid = parse.GetValue(pid) ?? options.Pid;
            options.PidFileName = parse.GetValue(pidFile) ?? options.PidFileName;
            options.Cmd = parse.GetValue(cmd) ?? options.Cmd;
            options.CmdArgs = parse.GetValue(cmdArgs) ?? options.CmdArgs;
            foreach (var pair in parse.GetValue(jwt) ?? [])
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0 || eq == pair.Length - 1)
                    throw new WorkloadCliException($"--jwt-svid '{pair}' must be AUDIENCE=FILE.");
                options.JwtSvids.Add(new JwtSvidFileOptions { JwtAudience = pair[..eq], JwtSvidFileName = pair[(eq + 1)..] });
            }
            if (parse.GetValue(healthPort) is { } port)
            {
                options.HealthChecks.ListenerEnabled = true;
                options.HealthChecks.BindPort = port;
            }
            if (parse.GetValue(once))
                options.DaemonMode = false;
            options.Validate();

            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
            var helper = new SvidHelper(options, loggerFactory.CreateLogger("gatehouse.workload.helper"));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Microsoft.AspNetCore.Builder.WebApplication? health = null;
            try
            {
                if (options.HealthChecks.ListenerEnabled && options.DaemonMode)
                {
                    health = SvidHelperHealth.Create(helper, options.HealthChecks);
                    await health.StartAsync(ct);
                    Console.WriteLine($"Health: {SvidHelperHealth.BoundAddress(health)} ({options.HealthChecks.LivenessPath}, {options.HealthChecks.ReadinessPath})");
                }
                var run = helper.RunAsync(stop.Token);
                if (!options.DaemonMode)
                {
                    await Task.WhenAny(helper.FirstWrite, run);
                    await stop.CancelAsync();
                }
                await run;
                return helper.IsReady || options.DaemonMode ? 0 : 1;
            }
            finally
            {
                if (health is not null)
                    await health.DisposeAsync();
            }
        }));
        return command;
    }

    private static Task<int> RunAsync(Func<Task<int>> command) => CommandFailures.RunAsync(async () =>
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is WorkloadCliException or SvidHelperConfigurationException or RegistrationEntryFileException or WorkloadEndpointAddressException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return CommandFailures.ConfigurationError;
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"{e.Message} Fix: remove what holds that socket or port, or choose another.");
            return CommandFailures.ListenError;
        }
    });

    private sealed class WorkloadCliException(string message) : Exception(message);

    private sealed class Disposables(List<IDisposable> items) : IDisposable
    {
        public void Dispose() => items.ForEach(i => i.Dispose());
    }
}
