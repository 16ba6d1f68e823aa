using System.CommandLine;
using System.Net;
using System.Text;
using Gatehouse.Workload;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Server;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Cli;

/// <summary>
/// <c>gatehouse workload server</c> (the persisted CA and the entries, served to agents), <c>gatehouse workload token
/// create</c> (join tokens for agents) and <c>gatehouse workload bundle</c> (the bundle agents bootstrap with).
/// </summary>
internal static class WorkloadServerCommand
{
    private const int Failed = 1;

    public static IEnumerable<Command> Create() => [Server(), Token(), Bundle()];

    private static Command Server()
    {
        var config = CliOptions.Config();
        var listen = new Option<string>("--listen")
        {
            Description = "IP:PORT to serve agents on over HTTPS (mutual TLS with agent SVIDs), e.g. 127.0.0.1:8444.",
            Required = true,
        };
        var command = new Command("server", "Run the workload server: the trust domain's CA (keys persisted, encrypted, in the store) and registration entries, serving SVIDs to agents (gatehouse workload agent --server).")
        {
            config, listen,
        };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            var address = parse.GetValue(listen)!;
            if (!IPEndPoint.TryParse(address, out var endpoint) || endpoint.Port == 0 && !address.EndsWith(":0", StringComparison.Ordinal))
                return Fail($"--listen '{address}' is not IP:PORT. Fix: pass e.g. 127.0.0.1:8444.");
            await using var store = WorkloadStore.Open(parse.GetValue(config)!.FullName);
            using var ca = await WorkloadCaManager.OpenAsync(store.CaOptions, store.Time, store.CaState, ct);
            await using var app = WorkloadServerHost.Create(ca, store.Entries, store.JoinTokens, endpoint, store.Options.AgentSvidTtl,
                logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
                    .AddFilter("Microsoft", LogLevel.Warning));
            await app.StartAsync(ct);
            Console.WriteLine($"Workload server: {string.Join(", ", app.Urls)} (trust domain {ca.TrustDomain}, server ID {WorkloadServerIds.Server(ca.TrustDomain)}).");
            Console.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        }));
        return command;
    }

    private static Command Token()
    {
        var config = CliOptions.Config();
        var ttl = new Option<int?>("--ttl") { Description = "Seconds the token can be redeemed (default Gatehouse:Workload:JoinTokenTtl, 10 minutes)." };
        var create = new Command("create", "Create a single-use join token for one agent (gatehouse workload agent --join-token). Prints the token alone on standard output; only its hash is stored.")
        {
            config, ttl,
        };
        create.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            if (parse.GetValue(ttl) is <= 0)
                return Fail($"--ttl must be a positive number of seconds (got {parse.GetValue(ttl)}).");
            await using var store = WorkloadStore.Open(parse.GetValue(config)!.FullName);
            var lifetime = parse.GetValue(ttl) is { } seconds ? TimeSpan.FromSeconds(seconds) : store.Options.JoinTokenTtl;
            var (token, id, expiresAt) = await store.JoinTokens.CreateAsync(lifetime, ct);
            Console.WriteLine(token);
            await Console.Error.WriteLineAsync($"Join token for agent {WorkloadServerIds.JoinTokenAgent(store.TrustDomain, id)}, single use, valid until {expiresAt:yyyy-MM-ddTHH:mm:ssZ}.");
            return 0;
        }));
        var command = new Command("token", "Join tokens for agents.");
        command.Subcommands.Add(create);
        return command;
    }

    private static Command Bundle()
    {
        var config = CliOptions.Config();
        var command = new Command("bundle", "Print the trust domain's X.509 authorities (PEM) from the store: the --server-bundle file agents start with. Creates the CA if the store has none yet.")
        {
            config,
        };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var store = WorkloadStore.Open(parse.GetValue(config)!.FullName);
            using var ca = await WorkloadCaManager.OpenAsync(store.CaOptions, store.Time, store.CaState, ct);
            var pem = new StringBuilder();
            foreach (var root in ca.Bundle.X509Authorities)
                pem.Append(root.ExportCertificatePem()).Append('\n');
            Console.Write(pem.ToString());
            return 0;
        }));
        return command;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return Failed;
    }
}
