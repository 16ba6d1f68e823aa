using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Hosting;

/// <summary>
/// Deletes expired tokens, codes, sessions and pushed requests in small batches through the <see cref="StoreWriter"/>
/// (so each batch waits its turn between issuances instead of contending with them for the store), pausing after each
/// for twice as long as it took; then checkpoints SQLite's write-ahead log.
/// </summary>
public sealed class TokenCleanupService(
    StoreWriter writer, IDbContextFactory<GatehouseDbContext> contexts, GatehouseOptions options, TimeProvider time,
    ILogger<TokenCleanupService> logger)
    : BackgroundService
{
    private const int BatchSize = 250;
    private static readonly TimeSpan MinimumPause = TimeSpan.FromMilliseconds(50);

    /// <summary>Deletes at most <paramref name="batchSize"/> expired rows of each table, in one write; returns how many went.</summary>
    public static Task<int> DeleteExpiredAsync(StoreWriter writer, long now, int batchSize, CancellationToken ct) =>
        writer.WriteAsync(async transaction =>
        {
            var db = transaction.Db;
            return await ExpiredRows.DeleteAsync(db.AccessTokens, now, batchSize)
                + await ExpiredRows.DeleteAsync(db.RevokedJwts, now, batchSize)
                + await ExpiredRows.DeleteAsync(db.RefreshTokens, now, batchSize)
                // A redeemed code stays until it expires, so a replay within its lifetime is still recognised as one.
                + await ExpiredRows.DeleteAsync(db.AuthorizationCodes, now, batchSize)
                + await ExpiredRows.DeleteAsync(db.UserSessions, now, batchSize)
                + await ExpiredRows.DeleteAsync(db.PushedAuthorizationRequests, now, batchSize);
        }, ct);

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
                    var started = time.GetTimestamp();
                    deleted = await DeleteExpiredAsync(writer, time.GetUtcNow().ToUnixTimeSeconds(), BatchSize, stoppingToken);
                    // SQLite has one write lock: pausing at least twice as long as the batch held it leaves issuance
                    // two thirds of the time however slow deletes get (a large table, a busy disk).
                    var took = time.GetElapsedTime(started);
                    await Task.Delay(took * 2 > MinimumPause ? took * 2 : MinimumPause, time, stoppingToken);
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
