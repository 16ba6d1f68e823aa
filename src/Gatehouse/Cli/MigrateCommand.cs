using System.CommandLine;
using Gatehouse.Server.Hosting;

namespace Gatehouse.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var command = new Command("migrate", "Create or upgrade the store's schema (SQLite or PostgreSQL) to this version.") { config };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            var applied = await GatehouseStorage.MigrateAsync(services, ct);
            Console.WriteLine(applied.Count == 0 ? "The store is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return 0;
        }));
        return command;
    }
}
