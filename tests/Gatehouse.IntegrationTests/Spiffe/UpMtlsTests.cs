using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.AspNetCore.Tests.Spiffe;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.IntegrationTests.SignIn;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary>
/// <c>gatehouse up</c> gives the gateway and the Medical API X.509-SVIDs from its in-process Workload API agent, and
/// the Medical API listens only for the gateway, over mTLS. The test runs as the same uid as <c>up</c>, so the agent's
/// socket hands it the same SVIDs: with the gateway's it stands where the gateway stands; with the Medical API's own it
/// is a valid workload of the trust domain that is not the gateway.
/// </summary>
[Collection(DemoPlatform.Collection)]
public sealed class UpMtlsTests(DemoPlatform platform) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly SpiffeId GatewayId = SpiffeId.Parse($"spiffe://{DemoPlatform.TrustDomain}/gateway");
    private static readonly SpiffeId MedicalApiId = SpiffeId.Parse($"spiffe://{DemoPlatform.TrustDomain}/medical-api");

    private WorkloadApiX509Source? _gateway;
    private WorkloadApiX509Source? _medicalApi;

    private WorkloadApiX509Source Gateway => _gateway!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var agent = WorkloadEndpointAddress.Unix(platform.AgentSocket);
        _gateway = await WorkloadApiX509Source.StartAsync(agent, GatewayId, cancellationToken: timeout.Token);
        _medicalApi = await WorkloadApiX509Source.StartAsync(agent, MedicalApiId, cancellationToken: timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
            await _gateway.DisposeAsync();
        if (_medicalApi is not null)
            await _medicalApi.DisposeAsync();
    }

    [Fact]
    public void Up_SaysWhichSpiffeIdEachComponentHas()
    {
        var stdout = platform.Server.Process.Stdout;
        Assert.Contains($"Workload API (SPIFFE) on unix://{platform.AgentSocket}, trust domain {DemoPlatform.TrustDomain}", stdout);
        Assert.Contains($"Medical sample API on {platform.MedicalApi} as {MedicalApiId} (mTLS: only {GatewayId} may connect", stdout);
        Assert.Contains($"as {GatewayId}: calls the Medical API over mTLS and accepts it only as {MedicalApiId}", stdout);
    }

    [Fact]
    public async Task MedicalApi_GatewaySvid_IsAccepted_ByAServerThatIsTheMedicalApi()
    {
        // SpiffeMtlsHttpHandler accepts the server only as MedicalApiId; expecting another ID fails on the same server.
        using (var http = Client(new SpiffeMtlsHttpHandler(Gateway, MedicalApiId)))
        using (var health = await http.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using (var http = Client(new SpiffeMtlsHttpHandler(Gateway, GatewayId)))
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/health"));
    }

    [Fact]
    public async Task MedicalApi_ServerCertificate_IsAValidSvidForTheMedicalApi()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, platform.ApiPort);
        await using var tls = new SslStream(tcp.GetStream());
        var options = new SslClientAuthenticationOptions();
        // Any SPIFFE ID, but only a valid X.509-SVID of the agent's trust domain: the handshake checks that much.
        new SpiffeTlsClient(Gateway, _ => true).Configure(options);

        await tls.AuthenticateAsClientAsync(options);

        var leaf = Assert.IsType<X509Certificate2>(tls.RemoteCertificate);
        Assert.Equal([MedicalApiId.ToString()], SubjectAltNames.Read(leaf).Uris);
    }

    [Fact]
    public async Task MedicalApi_WithoutClientCertificate_FailsTheHandshake()
    {
        using var http = Client(new SocketsHttpHandler
        {
            // Trust the server blindly: the only thing this client lacks is a certificate of its own.
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = delegate { return true; } },
        });

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/health"));
        await platform.Server.Process.WaitForStdoutAsync(": NoCertificates (no SPIFFE ID).", Patience);
        AssertLogLine("Refused a client X.509-SVID from 127.0.0.1:", ": NoCertificates (no SPIFFE ID).");
    }

    [Fact]
    public async Task MedicalApi_ValidSvidOfAnotherWorkload_FailsTheHandshake()
    {
        Assert.Equal(MedicalApiId, _medicalApi!.Svid.Id);
        using var http = Client(new SpiffeMtlsHttpHandler(_medicalApi, MedicalApiId));

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/health"));
        await platform.Server.Process.WaitForStdoutAsync($"Refused the client {MedicalApiId} from 127.0.0.1:", Patience);
    }

    [Fact]
    public async Task MedicalApi_GatewayIdFromAnotherCa_FailsTheHandshake()
    {
        // Same trust domain name, same SPIFFE ID, but a CA the agent's bundle does not hold.
        using var impostorCa = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse(DemoPlatform.TrustDomain) }, TimeProvider.System);
        using var impostor = impostorCa.IssueX509Svid(GatewayId);
        var source = new TestX509Source(impostor.ToCredential(), Gateway.Bundles); // the client itself trusts the real server
        using var http = Client(new SpiffeMtlsHttpHandler(source, MedicalApiId));

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/health"));
        await platform.Server.Process.WaitForStdoutAsync($"({GatewayId}).", Patience);
        AssertLogLine("Refused a client X.509-SVID from 127.0.0.1:", $"({GatewayId}).");
    }

    [Fact]
    public async Task MedicalApi_OverTheGatewaysMtls_StillNeedsTheJwt_NotTheOpaqueToken()
    {
        using var server = platform.Server.CreateClient();
        var opaque = await Tokens.ObtainAsync(server, "demo-medical-portal", platform.Env["DEMO_MEDICAL_PORTAL_SECRET"]);
        using var http = Client(new SpiffeMtlsHttpHandler(Gateway, MedicalApiId));

        using (var none = await http.GetAsync("/appointments"))
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/appointments");
        request.Headers.Authorization = new("Bearer", opaque);
        using var rejected = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }

    /// <summary>One line of up's output has both parts (the console logger writes each message on its own line).</summary>
    private void AssertLogLine(string start, string end) =>
        Assert.Contains(platform.Server.Process.Stdout.Split('\n'), l => l.Trim().StartsWith(start, StringComparison.Ordinal) && l.TrimEnd().EndsWith(end, StringComparison.Ordinal));

    private HttpClient Client(HttpMessageHandler handler) =>
        new(handler) { BaseAddress = new Uri(platform.MedicalApi), Timeout = TimeSpan.FromSeconds(30) };
}
