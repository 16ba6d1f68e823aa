using System.CommandLine;

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
        var port = new Option<int>("--port")
        {
            Description = "Port to listen on, on 127.0.0.1 only.",
            DefaultValueFactory = _ => 5000,
        };
        port.Validators.Add(r =>
        {
            if (r.GetValue(port) is < 1 or > 65535)
                r.AddError("--port must be between 1 and 65535.");
        });
        var command = new Command("up", "Run everything on this machine for development: all roles, embedded SQLite, generated keys, demo clients.")
        {
            data, port,
        };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(() =>
        {
            var directory = parse.GetValue(data)!.FullName;
            var issuer = $"http://127.0.0.1:{parse.GetValue(port)}";
            var (config, created) = DemoConfiguration.Ensure(directory, issuer);
            Console.WriteLine(created ? $"Created the demo configuration {config} with fresh secrets." : $"Using the demo configuration {config}.");
            Console.WriteLine($"Demo client secrets: source {Path.Combine(directory, DemoConfiguration.EnvFileName)}");
            // The file holds the same values; they are forced here so that --port and --data always win.
            var overrides = new Dictionary<string, string?>
            {
                ["Gatehouse:Issuer"] = issuer,
                ["Gatehouse:Roles"] = "all",
                ["Gatehouse:Storage:Provider"] = "sqlite",
                ["Gatehouse:Storage:ConnectionString"] = DemoConfiguration.SqliteConnectionString(directory),
            };
            return ServerRunner.RunAsync(config, overrides, issuer, migrate: true, ct);
        }));
        return command;
    }
}
