using Gatehouse.Server.Authentication;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Hosting;

/// <summary>
/// Deletes expired tokens, codes, sessions and pushed requests in small batches, pausing after each for twice as long
/// as it took, so cleanup never holds the store long enough to stall issuance; then checkpoints SQLite's write-ahead log.
/// </summary>
public sealed class TokenCleanupService(
    AccessTokenStore accessTokens, RefreshTokenStore refreshTokens, AuthorizationCodeStore codes, SessionStore sessions,
    PushedAuthorizationRequestStore pushedRequests, IDbContextFactory<GatehouseDbContext> contexts, GatehouseOptions options,
    TimeProvider time, ILogger<TokenCleanupService> logger)
    : BackgroundService
{
    private const int BatchSize = 250;
    private static readonly TimeSpan MinimumPause = TimeSpan.FromMilliseconds(50);

    private async Task<int> DeleteExpiredBatchAsync(long now, CancellationToken ct) =>
        await accessTokens.DeleteExpiredAsync(now, BatchSize, ct)
        + await refreshTokens.DeleteExpiredAsync(now, BatchSize, ct)
        + await codes.DeleteExpiredAsync(now, BatchSize, ct)
        + await sessions.DeleteExpiredAsync(now, BatchSize, ct)
        + await pushedRequests.DeleteExpiredAsync(now, BatchSize, ct);

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
                    deleted = await DeleteExpiredBatchAsync(time.GetUtcNow().ToUnixTimeSeconds(), stoppingToken);
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
