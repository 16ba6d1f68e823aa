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
        // Store failures reach the user through CommandFailures, in one line; EF's own logs would repeat them with a stack trace.
        services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None));
        services.AddGatehouseCore(options);
        return services.BuildServiceProvider();
    }
}
