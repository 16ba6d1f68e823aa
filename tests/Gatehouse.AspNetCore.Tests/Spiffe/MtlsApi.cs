using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.Gateway.Tests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>
/// A real Kestrel on 127.0.0.1 serving SPIFFE mTLS from an <see cref="IX509Source"/>:
/// <c>/whoami</c> admits only <see cref="Client"/>, <c>/admin</c> only <see cref="Admin"/>.
/// </summary>
public sealed class MtlsApi : IAsyncDisposable
{
    public const string Client = "spiffe://example.org/client";
    public const string Admin = "spiffe://example.org/admin";

    private readonly WebApplication _app;

    private MtlsApi(WebApplication app, Uri url, CapturedLogs logs)
    {
        _app = app;
        Url = url;
        Logs = logs;
    }

    public Uri Url { get; }

    public CapturedLogs Logs { get; }

    /// <param name="source">the server's SVID and trust; null serves the same endpoints over plain HTTP</param>
    /// <param name="authorizeClient">the listener's own allow-list, checked at the handshake</param>
    public static Task<MtlsApi> StartAsync(IX509Source? source, Func<SpiffeId, bool>? authorizeClient = null) =>
        StartAsync(source is null ? _ => { } : listen => listen.UseSpiffeMtls(source, authorizeClient), app =>
        {
            app.MapGet("/whoami", (HttpContext context) => Results.Json(Seen.From(context))).RequireSpiffeId(Client);
            app.MapGet("/admin", () => "admin").RequireSpiffeId(Admin);
            app.MapGet("/anyone", () => "open").AllowAnonymous();
        });

    /// <summary>
    /// A server that is not under test: presents <paramref name="certificate"/> (with <paramref name="intermediates"/>)
    /// and accepts any client, so the client handler's checks alone decide.
    /// </summary>
    public static Task<MtlsApi> StartPlainTlsAsync(X509Certificate2 certificate, params X509Certificate2[] intermediates) =>
        StartAsync(listen => listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(certificate, [.. intermediates], offline: true),
            }),
        }), app => app.MapGet("/whoami", () => "plain"));

    private static async Task<MtlsApi> StartAsync(Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> listen, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen));
        builder.Services.AddSpiffeMtls();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MtlsApi(app, new Uri(address), logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>What the server saw on the connection: the caller's SPIFFE ID and both certificates' serials.</summary>
    public sealed record Seen(string SpiffeId, string ClientSerial, string ServerSerial)
    {
        public static Seen From(HttpContext context)
        {
            var tls = context.Features.Get<ISslStreamFeature>()!.SslStream;
            return new(context.User.FindFirst(SpiffeClaimTypes.SpiffeId)!.Value,
                context.Connection.ClientCertificate!.SerialNumber, tls.LocalCertificate!.GetSerialNumberString());
        }
    }
}
