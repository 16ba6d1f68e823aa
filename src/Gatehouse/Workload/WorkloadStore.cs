using Gatehouse.Cli;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Workload.Ca;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Workload;

/// <summary>The store as the workload commands use it: the configured trust domain, its entries, CA state and join tokens.</summary>
internal sealed class WorkloadStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private WorkloadStore(ServiceProvider services, TrustDomain trustDomain)
    {
        _services = services;
        TrustDomain = trustDomain;
        Options = services.GetRequiredService<GatehouseOptions>().Workload;
        Time = services.GetRequiredService<TimeProvider>();
        Entries = new StoredRegistrationEntries(services.GetRequiredService<WorkloadEntryStore>(), Time);
        CaState = new StoredWorkloadCaState(services.GetRequiredService<WorkloadCaStore>(), services.GetRequiredService<KeyProtector>());
        JoinTokens = new StoredJoinTokens(services.GetRequiredService<WorkloadJoinTokenStore>(), Time);
    }

    public TrustDomain TrustDomain { get; }
    public WorkloadOptions Options { get; }
    public TimeProvider Time { get; }
    public StoredRegistrationEntries Entries { get; }
    public StoredWorkloadCaState CaState { get; }
    public StoredJoinTokens JoinTokens { get; }

    /// <summary>The CA options from Gatehouse:Workload.</summary>
    public WorkloadCaOptions CaOptions => new()
    {
        TrustDomain = TrustDomain,
        RootTtl = Options.RootTtl,
        IntermediateTtl = Options.IntermediateTtl,
        JwtKeyTtl = Options.JwtKeyTtl,
        X509SvidTtl = Options.X509SvidTtl,
        JwtSvidTtl = Options.JwtSvidTtl,
    };

    /// <exception cref="GatehouseConfigurationException">The configuration is invalid or has no Gatehouse:Workload:TrustDomain.</exception>
    public static WorkloadStore Open(string configFile)
    {
        var services = CoreServices.Build(configFile);
        var options = services.GetRequiredService<GatehouseOptions>();
        if (GatehouseOptionsValidator.RequireWorkloadTrustDomain(options) is { } problem)
        {
            services.Dispose();
            throw new GatehouseConfigurationException([problem]);
        }
        return new WorkloadStore(services, TrustDomain.Parse(options.Workload.TrustDomain));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
