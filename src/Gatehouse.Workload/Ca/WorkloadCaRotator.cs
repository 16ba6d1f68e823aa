using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Ca;

/// <summary>Applies the CA's rotation schedule periodically, so bundle changes reach streams without waiting for an issuance.</summary>
public sealed class WorkloadCaRotator(WorkloadCaManager ca, TimeProvider timeProvider, ILogger<WorkloadCaRotator> logger) : BackgroundService
{
    /// <summary>Defaults to <see cref="WorkloadCaManager.RotationCheckInterval"/>.</summary>
    public TimeSpan? Interval { get; init; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval ?? ca.RotationCheckInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ca.RotateAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A persisted CA whose store is briefly unreachable keeps signing with its current authorities;
                    // the next tick tries again, well before the last sixth of their life runs out.
                    logger.LogError(e, "Rotating the workload CA of {TrustDomain} failed; retrying at the next check.", ca.TrustDomain);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
