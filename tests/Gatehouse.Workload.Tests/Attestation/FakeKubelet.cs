using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Tests.Attestation;

/// <summary>
/// A kubelet's secure port as the attestor sees it: HTTPS on 127.0.0.1 with a certificate from a cluster CA written
/// to <see cref="CaFile"/>, <c>GET /pods</c> answering a core/v1 PodList, and every Authorization header recorded.
/// </summary>
public sealed class FakeKubelet : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<string?> _authorizations = [];
    private Func<int, object?> _pods = _ => new { items = Array.Empty<object>() };

    private FakeKubelet(WebApplication app, string caFile, string tokenFile, Uri url)
    {
        _app = app;
        CaFile = caFile;
        TokenFile = tokenFile;
        Url = url;
    }

    public const string Token = "kubelet-test-token";

    public Uri Url { get; }
    public string CaFile { get; }
    public string TokenFile { get; }

    /// <summary>The Authorization header of every request so far.</summary>
    public IReadOnlyList<string?> Authorizations { get { lock (_lock) return [.. _authorizations]; } }

    /// <summary>Answer the n-th request (1-based) with this pod list; null answers 500.</summary>
    public void Serve(Func<int, object?> podList) => _pods = podList;

    public void Serve(params object[] pods) => Serve(_ => new { kind = "PodList", apiVersion = "v1", items = pods });

    public static object Pod(string uid, string ns, string name, string serviceAccount, IDictionary<string, string> labels, params string[] containerIds) => new
    {
        metadata = new { name, @namespace = ns, uid, labels, creationTimestamp = "2026-01-01T00:00:00Z" },
        spec = new { serviceAccountName = serviceAccount, nodeName = "node-1", containers = new[] { new { name = "app", image = "app:1" } } },
        status = new
        {
            phase = "Running",
            containerStatuses = containerIds.Select((id, i) => new { name = $"c{i}", containerID = "containerd://" + id, ready = true }).ToArray(),
        },
    };

    public static async Task<FakeKubelet> StartAsync(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=kubernetes", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=node-1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("node-1");
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new("1.3.6.1.5.5.7.3.1")], false));
        using var issued = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        var serverCertificate = X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);

        var caFile = Path.Combine(directory, "kubelet-ca.crt");
        await File.WriteAllTextAsync(caFile, ca.ExportCertificatePem());
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(serverCertificate)));
        var app = builder.Build();
        FakeKubelet? self = null;
        app.MapGet("/pods", (HttpContext context) =>
        {
            int n;
            lock (self!._lock)
            {
                self._authorizations.Add(context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null);
                n = self._authorizations.Count;
            }
            return self._pods(n) is { } list ? Results.Text(JsonSerializer.Serialize(list), "application/json") : Results.StatusCode(500);
        });
        await app.StartAsync();
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new FakeKubelet(app, caFile, tokenFile, url);
        return self;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
