using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Helper;

/// <summary>
/// The helper's health endpoints on 127.0.0.1 only: liveness answers 200 while the process runs; readiness answers
/// 503 until the first SVID files are written, then 200.
/// </summary>
public static class SvidHelperHealth
{
    public static WebApplication Create(SvidHelper helper, HealthCheckOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.BindPort));
        var app = builder.Build();
        app.MapGet(options.LivenessPath, () => Results.Text("live\n"));
        app.MapGet(options.ReadinessPath, () => helper.IsReady
            ? Results.Text("ready\n")
            : Results.Text("waiting for the first SVID\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    /// <summary>The bound address after start (useful with bind_port 0).</summary>
    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
