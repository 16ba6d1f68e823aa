using System.CommandLine;
using Gatehouse.Server.Configuration;

namespace Gatehouse.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var roles = new Option<string?>("--roles")
        {
            Description = $"Comma-separated service roles this process serves ({ServiceRoleNames.Valid}); overrides Gatehouse:Roles.",
        };
        var urls = CliOptions.Urls("http://127.0.0.1:5000");
        var migrate = new Option<bool>("--migrate") { Description = "Apply pending store migrations before serving." };
        var command = new Command("serve", "Serve the given service roles from a configuration file.") { config, roles, urls, migrate };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(() =>
        {
            var overrides = new Dictionary<string, string?>();
            if (parse.GetValue(roles) is { } r)
                overrides["Gatehouse:Roles"] = r;
            return ServerRunner.RunAsync(parse.GetValue(config)!.FullName, overrides, parse.GetValue(urls)!, parse.GetValue(migrate), ct);
        }));
        return command;
    }
}
