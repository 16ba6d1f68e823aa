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
