using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gatehouse.Server.Hosting;

/// <summary>Ready means: the store answers and signing keys are loaded.</summary>
public sealed class StoreHealthCheck(IDbContextFactory<GatehouseDbContext> contexts, SigningKeyRing keys) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            if (!await db.Database.CanConnectAsync(cancellationToken))
                return HealthCheckResult.Unhealthy("The store does not answer.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.", e);
        }
        return keys.IsLoaded ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("No signing keys are loaded.");
    }
}
