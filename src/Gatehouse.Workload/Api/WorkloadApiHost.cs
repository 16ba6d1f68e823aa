using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Api;

/// <summary>Builds the Workload API server: gRPC over HTTP/2 on a Unix socket, nothing else.</summary>
public static class WorkloadApiHost
{
    public static WebApplication Create(string socketPath, WorkloadCaManager ca, IRegistrationEntryStore entries,
        IWorkloadAttestor? attestor = null, WorkloadApiFederation? federation = null, TimeProvider? timeProvider = null)
        => Create(socketPath, new LocalWorkloadIdentityProvider(ca, entries), attestor, federation, timeProvider,
            services => services.AddSingleton(ca).AddHostedService<WorkloadCaRotator>());

    /// <summary>The Workload API over any identity provider, e.g. a <see cref="Server.WorkloadServerClient"/>.</summary>
    public static WebApplication Create(string socketPath, IWorkloadIdentityProvider identities,
        IWorkloadAttestor? attestor = null, WorkloadApiFederation? federation = null, TimeProvider? timeProvider = null,
        Action<IServiceCollection>? configureServices = null)
    {
        if (File.Exists(socketPath))
            File.Delete(socketPath); // a stale socket from a previous run would make bind fail
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(identities);
        builder.Services.AddSingleton(attestor ?? new UnixWorkloadAttestor());
        builder.Services.AddSingleton(federation ?? new WorkloadApiFederation());
        builder.Services.AddSingleton(timeProvider ?? TimeProvider.System);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGrpcService<WorkloadApiService>();
        return app;
    }
}
