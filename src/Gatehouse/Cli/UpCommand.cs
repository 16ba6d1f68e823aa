using System.CommandLine;
using System.Net;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.Gateway;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Samples.Medical;
using Gatehouse.Samples.Medical.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Cli;

internal static class UpCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Directory for the demo configuration, the SQLite store and the generated keys.",
            DefaultValueFactory = _ => new DirectoryInfo("data"),
        };
        var port = Port("--port", "Port of the authorization server (all roles), on 127.0.0.1 only.", 5000);
        var gatewayPort = Port("--gateway-port", "Port of the phantom-token gateway in front of the Medical API (default: --port + 1).", null);
        var apiPort = Port("--api-port", "Port of the Medical sample API, https with SPIFFE mTLS: only the gateway may call it (default: --port + 2).", null);
        var portalPort = Port("--portal-port", "Port of the doctor portal, a web app where the demo doctors sign in (default: --port + 3).", null);
        var trustDomain = new Option<string>("--trust-domain")
        {
            Description = "SPIFFE trust domain of the in-process Workload API agent that gives the gateway and the Medical API their X.509-SVIDs.",
            DefaultValueFactory = _ => "gatehouse.test",
        };
        trustDomain.Validators.Add(r =>
        {
            if (!TrustDomain.TryParse(r.GetValue(trustDomain), out _, out var error))
                r.AddError($"--trust-domain '{r.GetValue(trustDomain)}' is not a trust domain name ({error}); pass e.g. example.org.");
        });
        var command = new Command("up",
            "Run everything on this machine for development: the authorization server (all roles, embedded SQLite, generated keys, " +
            "demo clients and users), a Workload API agent, the phantom-token gateway, the Medical sample API behind it (mTLS with " +
            "SPIFFE X.509-SVIDs between them) and a doctor portal to sign in to.")
        {
            data, port, gatewayPort, apiPort, portalPort, trustDomain,
        };
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            var directory = parse.GetValue(data)!.FullName;
            var serverPort = parse.GetValue(port)!.Value;
            var issuer = $"http://127.0.0.1:{serverPort}";
            var gatewayUrl = $"http://127.0.0.1:{parse.GetValue(gatewayPort) ?? serverPort + 1}";
            var apiListen = new IPEndPoint(IPAddress.Loopback, parse.GetValue(apiPort) ?? serverPort + 2);
            var apiUrl = $"https://{apiListen}";
            var portalUrl = $"http://127.0.0.1:{parse.GetValue(portalPort) ?? serverPort + 3}";
            var (config, created) = DemoConfiguration.Ensure(directory, issuer);
            Console.WriteLine(created ? $"Created the demo configuration {config} with fresh secrets." : $"Using the demo configuration {config}.");
            Console.WriteLine($"Demo client secrets and user passwords: source {Path.Combine(directory, DemoConfiguration.EnvFileName)}");
            // The file holds the same values; they are forced here so that --port and --data always win.
            var overrides = new Dictionary<string, string?>
            {
                ["Gatehouse:Issuer"] = issuer,
                ["Gatehouse:Roles"] = "all",
                ["Gatehouse:Storage:Provider"] = "sqlite",
                ["Gatehouse:Storage:ConnectionString"] = DemoConfiguration.SqliteConnectionString(directory),
            };
            foreach (var (key, value) in DemoConfiguration.PortalRedirects(portalUrl))
                overrides[key] = value;

            var (server, exitCode) = await ServerRunner.StartAsync(config, overrides, issuer, migrate: true, ct);
            if (server is null)
                return exitCode;
            await using (server)
            {
                await using var workloads = await UpWorkloads.StartAsync(directory, TrustDomain.Parse(parse.GetValue(trustDomain)!), ct);
                Console.WriteLine($"Workload API (SPIFFE) on unix://{workloads.Socket}, trust domain {workloads.TrustDomain}: " +
                    $"{workloads.GatewayId} and {workloads.MedicalApiId} for this process's uid");

                // mTLS proves which workload calls (only the gateway may connect); the JWT says on whose behalf.
                var apiSource = await workloads.SourceAsync(workloads.MedicalApiId, ct);
                var apiBuilder = Builder(null, new()
                {
                    ["GatehouseApi:Authority"] = issuer,
                    ["GatehouseApi:Audience"] = DemoConfiguration.MedicalApiAudience,
                    ["GatehouseApi:RequireHttpsMetadata"] = "false",
                });
                apiBuilder.WebHost.ConfigureKestrel(k => k.Listen(apiListen, l => l.UseSpiffeMtls(apiSource, caller => caller == workloads.GatewayId)));
                await using var api = MedicalApi.Build(apiBuilder);
                await api.StartAsync(ct);
                Console.WriteLine($"Medical sample API on {apiUrl} as {workloads.MedicalApiId} (mTLS: only {workloads.GatewayId} may connect; " +
                    "validates Gatehouse JWTs itself; see samples/Medical/README.md)");

                var settings = ConfigurationLoader.Build(config, overrides);
                var gatewaySecret = settings["Gatehouse:Clients:demo-gateway:Secret"];
                var gatewaySource = await workloads.SourceAsync(workloads.GatewayId, ct);
                var gatewayBuilder = Builder(gatewayUrl, new()
                {
                    ["Gatehouse:Gateway:Introspection:Endpoint"] = issuer + "/introspect",
                    ["Gatehouse:Gateway:Introspection:ClientId"] = "demo-gateway",
                    ["Gatehouse:Gateway:Introspection:ClientSecret"] = gatewaySecret,
                    ["Gatehouse:Gateway:Routes:medical:ClusterId"] = "medical",
                    ["Gatehouse:Gateway:Routes:medical:Match:Path"] = "/medical/{**rest}",
                    ["Gatehouse:Gateway:Routes:medical:Transforms:0:PathRemovePrefix"] = "/medical",
                    ["Gatehouse:Gateway:Clusters:medical:Destinations:api:Address"] = apiUrl + "/",
                    [$"Gatehouse:Gateway:Clusters:medical:Metadata:{SpiffeForwarderHttpClientFactory.SpiffeIdMetadata}"] = workloads.MedicalApiId.ToString(),
                });
                gatewayBuilder.Services.AddSingleton<IForwarderHttpClientFactory>(sp =>
                    ActivatorUtilities.CreateInstance<SpiffeForwarderHttpClientFactory>(sp, gatewaySource));
                await using var gateway = GatewayHost.Build(gatewayBuilder);
                await gateway.StartAsync(ct);
                foreach (var line in GatewayHost.Describe(gateway))
                    Console.WriteLine(line);
                Console.WriteLine($"  as {workloads.GatewayId}: calls the Medical API over mTLS and accepts it only as {workloads.MedicalApiId}");

                await using var portal = MedicalPortal.Build(Builder(portalUrl, new()
                {
                    ["Portal:Authority"] = issuer,
                    ["Portal:RequireHttpsMetadata"] = "false",
                    ["Portal:ClientId"] = DemoConfiguration.PortalClientId,
                    ["Portal:ClientSecret"] = settings[$"Gatehouse:Clients:{DemoConfiguration.PortalClientId}:Secret"],
                    ["Portal:MedicalApi"] = gatewayUrl + "/medical",
                    ["Portal:Scopes:0"] = "openid",
                    ["Portal:Scopes:1"] = "profile",
                    ["Portal:Scopes:2"] = "email",
                    ["Portal:Scopes:3"] = "appointments",
                }));
                await portal.StartAsync(ct);
                Console.WriteLine($"Doctor portal on {portalUrl}: open it in a browser and sign in as one of " +
                    $"{string.Join(", ", DemoConfiguration.Doctors.Select(d => d.Username))} (passwords in {DemoConfiguration.EnvFileName})");

                Console.WriteLine("Press Ctrl+C to stop.");
                await Task.WhenAll(server.WaitForShutdownAsync(ct), api.WaitForShutdownAsync(ct), gateway.WaitForShutdownAsync(ct), portal.WaitForShutdownAsync(ct));
            }
            return 0;
        }));
        return command;
    }

    private static Task<int> RunAsync(Func<Task<int>> command) => CommandFailures.RunAsync(async () =>
    {
        try
        {
            return await command();
        }
        catch (UpWorkloadsException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return CommandFailures.ConfigurationError;
        }
    });

    private static Option<int?> Port(string name, string description, int? defaultPort)
    {
        var option = new Option<int?>(name) { Description = description };
        if (defaultPort is { } value)
            option.DefaultValueFactory = _ => value;
        option.Validators.Add(r =>
        {
            if (r.GetValue(option) is < 1 or > 65535)
                r.AddError($"{name} must be between 1 and 65535.");
        });
        return option;
    }

    private static WebApplicationBuilder Builder(string? url, Dictionary<string, string?> settings) =>
        ConfigurationLoader.CreateHostBuilder(jsonFile: null, settings, url);
}
