using Microsoft.Extensions.Hosting;

namespace Gatehouse.Workload.Ca;

/// <summary>Applies the CA's rotation schedule periodically, so bundle changes reach streams without waiting for an issuance.</summary>
public sealed class WorkloadCaRotator(WorkloadCaManager ca, TimeProvider timeProvider) : BackgroundService
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                ca.Rotate();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
