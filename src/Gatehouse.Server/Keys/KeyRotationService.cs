using Gatehouse.Server.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Keys;

/// <summary>
/// Loads the keys before the server accepts requests, then on every Keys:CheckInterval reloads them (to see
/// rotations made by other replicas or the CLI) and rotates when the schedule says so.
/// </summary>
public sealed class KeyRotationService(IServiceProvider services, GatehouseOptions options, TimeProvider time, ILogger<KeyRotationService> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await services.GetRequiredService<KeyManager>().RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Keys.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await services.GetRequiredService<KeyManager>().RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Keep signing with the keys already loaded; the next tick tries again.
                logger.LogError(e, "Signing keys could not be refreshed from the store.");
            }
        }
    }
}
