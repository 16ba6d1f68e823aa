using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Hosting;

/// <summary>
/// Deletes expired tokens in small batches, pausing between them, so cleanup never holds the store long
/// enough to stall issuance; then checkpoints SQLite's write-ahead log.
/// </summary>
public sealed class TokenCleanupService(
    AccessTokenStore store, IDbContextFactory<GatehouseDbContext> contexts, GatehouseOptions options, TimeProvider time, ILogger<TokenCleanupService> logger)
    : BackgroundService
{
    private const int BatchSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Storage.CleanupInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                int deleted;
                do
                {
                    deleted = await store.DeleteExpiredAsync(time.GetUtcNow().ToUnixTimeSeconds(), BatchSize, stoppingToken);
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, stoppingToken);
                } while (deleted >= BatchSize);
                await using var db = contexts.CreateDbContext();
                await SqliteMaintenance.CheckpointAsync(db, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Expired-token cleanup failed; it will run again in {Interval}.", options.Storage.CleanupInterval);
            }
        }
    }
}
