using Gatehouse.Server.Configuration;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Cli;

/// <summary>The services of the store and keys without a web host, for commands that act and exit.</summary>
internal static class CoreServices
{
    public static ServiceProvider Build(string configFile)
    {
        var configuration = ConfigurationLoader.Build(configFile, new Dictionary<string, string?>());
        var options = GatehouseConfiguration.Load(configuration);
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddGatehouseCore(options);
        return services.BuildServiceProvider();
    }
}
