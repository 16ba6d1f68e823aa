using System.CommandLine;
using Gatehouse.Gateway;
using Gatehouse.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Gatehouse.Cli;

/// <summary><c>gatehouse gateway --config FILE</c>: the phantom-token gateway (YARP) and the external-auth endpoint.</summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var urls = CliOptions.Urls("http://127.0.0.1:8080");
        var command = new Command("gateway", "Run the phantom-token gateway: routes from Gatehouse:Gateway, opaque tokens exchanged for JWTs by introspection.") { config, urls };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            var builder = ConfigurationLoader.CreateHostBuilder(parse.GetValue(config)!.FullName, new Dictionary<string, string?>(), parse.GetValue(urls)!);
            // Only `up` gives the gateway an X.509-SVID so far; proxying such a cluster without mTLS would be a silent downgrade.
            var spiffeKey = $"Metadata:{SpiffeForwarderHttpClientFactory.SpiffeIdMetadata}";
            if (builder.Configuration.GetSection(GatewayConfiguration.SectionName + ":Clusters").GetChildren().FirstOrDefault(c => c[spiffeKey] is not null) is { } cluster)
            {
                await Console.Error.WriteLineAsync($"Invalid gateway configuration: {cluster.Path}:{spiffeKey} asks for SPIFFE mTLS, which 'gatehouse gateway' cannot do yet (it has no X.509-SVID source; 'gatehouse up' has). " +
                    "Fix: remove the key, or put TLS in front of that cluster another way.");
                return CommandFailures.ConfigurationError;
            }
            WebApplication app;
            try
            {
                app = GatewayHost.Build(builder);
            }
            catch (GatewayConfigurationException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return CommandFailures.ConfigurationError;
            }
            await using (app)
            {
                await app.StartAsync(ct);
                foreach (var line in GatewayHost.Describe(app))
                    Console.WriteLine(line);
                Console.WriteLine("Press Ctrl+C to stop.");
                await app.WaitForShutdownAsync(ct);
            }
            return 0;
        }));
        return command;
    }
}
