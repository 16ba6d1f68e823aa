using Gatehouse.Server.Users;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Discovery;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Cli;

/// <summary>Starts a server process, says what listens where, and runs until Ctrl+C or SIGTERM.</summary>
internal static class ServerRunner
{
    public static async Task<int> RunAsync(string? configFile, IDictionary<string, string?> overrides, string urls, bool migrate, CancellationToken ct)
    {
        var (app, exitCode) = await StartAsync(configFile, overrides, urls, migrate, ct);
        if (app is null)
            return exitCode;
        await using (app)
        {
            Console.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
        }
        return 0;
    }

    /// <summary>Builds, migrates (or checks migrations) and starts the server, then prints what listens where.</summary>
    public static async Task<(WebApplication? App, int ExitCode)> StartAsync(
        string? configFile, IDictionary<string, string?> overrides, string urls, bool migrate, CancellationToken ct)
    {
        var builder = ConfigurationLoader.CreateHostBuilder(configFile, overrides, urls);
        var app = GatehouseApplication.Build(builder);
        var options = app.Services.GetRequiredService<GatehouseOptions>();

        if (migrate)
        {
            foreach (var name in await GatehouseStorage.MigrateAsync(app.Services, ct))
                Console.WriteLine($"Applied migration {name}");
        }
        else if (await GatehouseStorage.PendingMigrationsAsync(app.Services, ct) is { Count: > 0 } pending)
        {
            await Console.Error.WriteLineAsync(
                $"The store has {pending.Count} pending migration(s) ({string.Join(", ", pending)}). Fix: run 'gatehouse migrate --config {configFile}' first, or start with --migrate.");
            await app.DisposeAsync();
            return (null, CommandFailures.StoreError);
        }

        foreach (var username in await app.Services.GetRequiredService<UserSeeder>().SeedAsync(ct))
            Console.WriteLine($"Created user {username} from the configuration");

        await app.StartAsync(ct);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var roles = GatehouseApplication.RolesOf(options);
        Console.WriteLine($"Gatehouse is serving roles [{ServiceRoleNames.Format(roles)}] for issuer {options.Issuer}");
        foreach (var address in addresses)
        {
            Console.WriteLine($"  listening on {address}");
            foreach (var line in EndpointsOf(roles))
                Console.WriteLine($"    {address.TrimEnd('/')}{line}");
        }
        return (app, 0);
    }

    private static IEnumerable<string> EndpointsOf(ServiceRoles roles)
    {
        if (roles.HasFlag(ServiceRoles.Token) || roles.HasFlag(ServiceRoles.Authentication))
        {
            yield return $"{EndpointPaths.OpenIdConfiguration}   metadata";
            yield return $"{EndpointPaths.Jwks}   signing keys";
        }
        if (roles.HasFlag(ServiceRoles.Token))
        {
            yield return $"{EndpointPaths.Token}   token endpoint";
            yield return $"{EndpointPaths.Introspection}   introspection";
            yield return $"{EndpointPaths.Revocation}   revocation";
            yield return $"{EndpointPaths.Userinfo}   userinfo";
        }
        if (roles.HasFlag(ServiceRoles.Authentication))
        {
            yield return $"{EndpointPaths.Authorize}   authorization endpoint";
            yield return $"{EndpointPaths.PushedAuthorization}   pushed authorization requests";
            yield return $"{EndpointPaths.Login}   sign-in page";
            yield return $"{EndpointPaths.EndSession}   logout";
        }
        if (roles.HasFlag(ServiceRoles.Admin))
            yield return $"{EndpointPaths.AdminKeys}   admin API";
        yield return $"{EndpointPaths.HealthReady}   readiness";
    }
}
