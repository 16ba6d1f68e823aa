using System.Net;
using System.Net.Http.Json;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.Gateway.Tests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Tests;
using Microsoft.Extensions.Logging;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>
/// The HttpClient side of SPIFFE mTLS: the server is accepted by its X.509-SVID and SPIFFE ID, never by the host
/// name in the URL, and the client presents the source's current SVID.
/// </summary>
public sealed class SpiffeMtlsClientTests : IDisposable
{
    private static readonly SpiffeId Server = SpiffeId.Parse("spiffe://example.org/server");
    private readonly TestPki _pki = SvidCases.Now();
    private readonly CapturedLogs _logs = new();

    private HttpClient Client(TestX509Source source, SpiffeId expectedServer) =>
        new(new SpiffeMtlsHttpHandler(source, expectedServer, logger: _logs.CreateLogger("client")));

    [Fact]
    public async Task ExpectedServerId_Accepted_ThoughTheUrlHostIsInNoCertificate()
    {
        await using var api = await MtlsApi.StartAsync(TestX509Source.Issue(_pki, "/server", "api.internal"));
        using var client = Client(TestX509Source.Issue(_pki, "/client"), Server);

        var response = await client.GetAsync(new Uri(api.Url, "/whoami")); // https://127.0.0.1:port, not api.internal

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ValidSvidOfAnotherWorkload_Refused()
    {
        await using var api = await MtlsApi.StartAsync(TestX509Source.Issue(_pki, "/impostor"));
        using var client = Client(TestX509Source.Issue(_pki, "/client"), Server);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(api.Url, "/whoami")));
        Assert.Contains(_logs.Entries, e => e.Message == "Refused the server spiffe://example.org/impostor: not an expected server identity.");
    }

    [Fact]
    public async Task ValidServerSvid_FromAPlainTlsServer_Accepted()
    {
        var (leaf, intermediates) = SvidCases.Build(SvidCases.Valid, _pki, Server.ToString());
        await using var api = await MtlsApi.StartPlainTlsAsync(leaf, intermediates);
        using var client = Client(TestX509Source.Issue(_pki, "/client"), Server);

        Assert.Equal("plain", await client.GetStringAsync(new Uri(api.Url, "/whoami")));
    }

    [Theory]
    [MemberData(nameof(SvidCases.Invalid), MemberType = typeof(SvidCases))]
    public async Task InvalidServerSvid_Refused(string svidCase, X509SvidError rule)
    {
        var (leaf, intermediates) = SvidCases.Build(svidCase, _pki, Server.ToString());
        await using var api = await MtlsApi.StartPlainTlsAsync(leaf, intermediates);
        // A caller that would accept any SPIFFE ID: the certificate rules alone must refuse the server.
        using var client = new HttpClient(new SpiffeMtlsHttpHandler(TestX509Source.Issue(_pki, "/client"), _ => true, logger: _logs.CreateLogger("client")));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(api.Url, "/whoami")));
        Assert.Contains(_logs.Entries, e => e.Message.StartsWith($"Refused the server's X.509-SVID: {rule} (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientSvid_ReplacedInSource_NextRequestsPresentTheNewOne()
    {
        await using var api = await MtlsApi.StartAsync(TestX509Source.Issue(_pki, "/server"));
        var source = TestX509Source.Issue(_pki, "/client");
        using var client = Client(source, Server);
        var first = await client.GetFromJsonAsync<MtlsApi.Seen>(new Uri(api.Url, "/whoami"));
        Assert.Equal(source.Svid.Certificate.SerialNumber, first!.ClientSerial);

        source.Svid = TestX509Source.IssueCredential(_pki, "/client");
        var second = await client.GetFromJsonAsync<MtlsApi.Seen>(new Uri(api.Url, "/whoami"));

        Assert.Equal(source.Svid.Certificate.SerialNumber, second!.ClientSerial);
        Assert.NotEqual(first.ClientSerial, second.ClientSerial);
    }

    [Fact]
    public async Task HttpUrl_RefusedBeforeAnythingIsSent()
    {
        await using var plain = await MtlsApi.StartAsync(null);
        using var client = Client(TestX509Source.Issue(_pki, "/client"), Server);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(plain.Url, "/anyone")));

        Assert.Contains("SPIFFE mTLS needs an https URL", error.Message);
    }

    [Fact]
    public async Task PoolFactory_MakesTheConnectionPoolOfEachSvid_WithTheSvidsTlsSettings()
    {
        await using var api = await MtlsApi.StartAsync(TestX509Source.Issue(_pki, "/server"));
        var source = TestX509Source.Issue(_pki, "/client");
        var pools = new List<SocketsHttpHandler>();
        var tls = new SpiffeTlsClient(source, Server, logger: _logs.CreateLogger("client"));
        using var client = new HttpClient(new SpiffeMtlsHttpHandler(tls, () =>
        {
            // Settings a reverse proxy needs; the handler must keep them and only replace SslOptions.
            var pool = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, SslOptions = { RemoteCertificateValidationCallback = delegate { return true; } } };
            pools.Add(pool);
            return pool;
        }));

        var first = await client.GetFromJsonAsync<MtlsApi.Seen>(new Uri(api.Url, "/whoami"));
        await client.GetFromJsonAsync<MtlsApi.Seen>(new Uri(api.Url, "/whoami"));
        source.Svid = TestX509Source.IssueCredential(_pki, "/client");
        var rotated = await client.GetFromJsonAsync<MtlsApi.Seen>(new Uri(api.Url, "/whoami"));

        Assert.Equal(2, pools.Count);
        Assert.All(pools, p => Assert.False(p.UseCookies || p.AllowAutoRedirect));
        Assert.NotEqual(first!.ClientSerial, rotated!.ClientSerial);
        Assert.Equal(source.Svid.Certificate.SerialNumber, rotated.ClientSerial);
        // The factory's accept-anything callback was replaced by the SPIFFE server check.
        await using var impostor = await MtlsApi.StartAsync(TestX509Source.Issue(_pki, "/impostor"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(impostor.Url, "/whoami")));
    }

    public void Dispose() => _pki.Dispose();
}
