using System.CommandLine;
using Gatehouse.Cli;

var root = new RootCommand("Gatehouse: OAuth 2.0 / OpenID Connect authorization server, phantom-token gateway and workload identities.");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(ClientsCommand.Create());
root.Subcommands.Add(UsersCommand.Create());
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(GatewayCommand.Create());
root.Subcommands.Add(WorkloadCommand.Create());
return await root.Parse(args).InvokeAsync();
