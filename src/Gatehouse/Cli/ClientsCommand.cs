using System.CommandLine;
using Gatehouse.Protocol.Tokens;

namespace Gatehouse.Cli;

internal static class ClientsCommand
{
    public static Command Create()
    {
        var command = new Command("clients", "Client helpers.");
        var secret = new Command("secret", "Generate a client secret (256 random bits) and the SecretHash to put in the configuration.");
        secret.SetAction(_ =>
        {
            var value = OpaqueToken.Create();
            Console.WriteLine($"Secret:     {value}");
            Console.WriteLine($"SecretHash: {TokenHash.Sha256(value)}");
            Console.WriteLine("Give the secret to the client; configure only the hash (Gatehouse:Clients:<id>:SecretHash).");
        });
        command.Subcommands.Add(secret);
        return command;
    }
}
