using System.CommandLine;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Cli;

internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "List and rotate the token signing keys.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Rotate());
        return command;
    }

    private static Command List()
    {
        var config = CliOptions.Config();
        var command = new Command("list", "List signing keys with their state: published (not yet signing), active, retired (still verifying).") { config };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            var keys = await services.GetRequiredService<KeyManager>().ListAsync(ct);
            Print(keys, services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds());
            return 0;
        }));
        return command;
    }

    private static Command Rotate()
    {
        var config = CliOptions.Config();
        var immediately = new Option<bool>("--immediately")
        {
            Description = "Sign with the new key at once (for a compromised key). By default it is published first and signs after Keys:PublishAhead.",
        };
        var command = new Command("rotate", "Create the next signing key ahead of schedule.") { config, immediately };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            var manager = services.GetRequiredService<KeyManager>();
            var key = await manager.RotateAsync(parse.GetValue(immediately), ct);
            Console.WriteLine($"Key {key.Kid} signs from {DateTimeOffset.FromUnixTimeSeconds(key.ActivatesAt):u}. Running servers pick it up within Keys:CheckInterval.");
            Print(await manager.ListAsync(ct), services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds());
            return 0;
        }));
        return command;
    }

    private static void Print(IReadOnlyList<SigningKeyRecord> keys, long now)
    {
        Console.WriteLine($"{"KID",-44} {"ALG",-6} {"STATE",-10} {"SIGNS FROM",-21} {"SIGNS UNTIL",-21} {"PUBLISHED UNTIL",-21}");
        foreach (var k in keys)
        {
            Console.WriteLine($"{k.Kid,-44} {k.Algorithm,-6} {KeyState.Of(k, keys, now),-10} {Time(k.ActivatesAt),-21} {Time(k.RetiresAt),-21} {Time(k.ExpiresAt),-21}");
        }
        if (keys.Count == 0)
            Console.WriteLine("(no keys yet: the first server start creates one)");
    }

    private static string Time(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("u");
}
