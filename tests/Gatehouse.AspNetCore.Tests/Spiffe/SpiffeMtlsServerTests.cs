using System.Net;
using System.Net.Http.Json;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Tests;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>
/// The Kestrel side of SPIFFE mTLS over real TLS on 127.0.0.1: which client certificates complete the handshake
/// (X509-SVID §5 against the caller's own trust domain's bundle) and which SPIFFE IDs each endpoint admits.
/// </summary>
public sealed class SpiffeMtlsServerTests : IAsyncLifetime
{
    private static readonly SpiffeId Server = SpiffeId.Parse("spiffe://example.org/server");
    private readonly TestPki _pki = SvidCases.Now();
    private TestX509Source _serverSource = null!;
    private MtlsApi _api = null!;

    public async Task InitializeAsync()
    {
        _serverSource = TestX509Source.Issue(_pki, "/server");
        _api = await MtlsApi.StartAsync(_serverSource);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _pki.Dispose();
    }

    private HttpClient Workload(string path) => new(new SpiffeMtlsHttpHandler(TestX509Source.Issue(_pki, path), Server)) { BaseAddress = _api.Url };

    [Fact]
    public async Task AllowListedCaller_Gets200_AuthenticatedAsItsSpiffeId()
    {
        using var client = Workload("/client");

        var seen = await client.GetFromJsonAsync<MtlsApi.Seen>("/whoami");

        Assert.Equal(MtlsApi.Client, seen!.SpiffeId);
    }

    [Fact]
    public async Task OtherWorkloadOfTheTrustDomain_Gets403()
    {
        using var client = Workload("/billing");

        var response = await client.GetAsync("/whoami");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AllowList_IsPerEndpoint()
    {
        using var client = Workload("/client");
        using var admin = Workload("/admin");

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/whoami")).StatusCode);
    }

    [Fact]
    public async Task AllowListedEndpoint_WithoutSpiffeMtlsOnTheListener_Gets401()
    {
        // Only a certificate validated by UseSpiffeMtls during the handshake authenticates; plain HTTP has none.
        await using var plain = await MtlsApi.StartAsync(null);
        using var client = new HttpClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri(plain.Url, "/whoami"))).StatusCode);
        Assert.Equal("open", await client.GetStringAsync(new Uri(plain.Url, "/anyone")));
    }

    [Fact]
    public async Task ListenerAllowList_OtherValidWorkload_HandshakeRefused_ListedOneServed()
    {
        await using var api = await MtlsApi.StartAsync(_serverSource, caller => caller == SpiffeId.Parse(MtlsApi.Client));
        using var billing = new HttpClient(new SpiffeMtlsHttpHandler(TestX509Source.Issue(_pki, "/billing"), Server)) { BaseAddress = api.Url };
        using var client = new HttpClient(new SpiffeMtlsHttpHandler(TestX509Source.Issue(_pki, "/client"), Server)) { BaseAddress = api.Url };

        // Even the endpoint open to anyone is unreachable for a caller the listener does not admit.
        await Assert.ThrowsAsync<HttpRequestException>(() => billing.GetAsync("/anyone"));
        Assert.Contains(api.Logs.Entries, e => e.Message.StartsWith("Refused the client spiffe://example.org/billing from ", StringComparison.Ordinal));
        Assert.Equal("open", await client.GetStringAsync("/anyone"));
    }

    [Fact]
    public async Task NoClientCertificate_HandshakeRefused()
    {
        using var client = SvidCases.ClientPresenting(null);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_api.Url, "/anyone")));
    }

    [Fact]
    public async Task ValidClientSvid_PresentedByAPlainClient_Accepted()
    {
        var (leaf, intermediates) = SvidCases.Build(SvidCases.Valid, _pki, MtlsApi.Client);
        using var client = SvidCases.ClientPresenting(leaf, intermediates);

        var seen = await client.GetFromJsonAsync<MtlsApi.Seen>(new Uri(_api.Url, "/whoami"));

        Assert.Equal(MtlsApi.Client, seen!.SpiffeId);
    }

    [Theory]
    [MemberData(nameof(SvidCases.Invalid), MemberType = typeof(SvidCases))]
    public async Task InvalidClientSvid_HandshakeRefused(string svidCase, X509SvidError rule)
    {
        var (leaf, intermediates) = SvidCases.Build(svidCase, _pki, MtlsApi.Client);
        using var client = SvidCases.ClientPresenting(leaf, intermediates);

        // Even the endpoint open to anyone is unreachable: the connection itself is refused.
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_api.Url, "/anyone")));
        Assert.Contains(_api.Logs.Entries, e => e.Message.StartsWith($"Refused a client X.509-SVID from ", StringComparison.Ordinal) && e.Message.Contains($": {rule} (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerSvid_ReplacedInSource_NewConnectionsGetItWithoutRestart()
    {
        using (var before = Workload("/client"))
        {
            var first = await before.GetFromJsonAsync<MtlsApi.Seen>("/whoami");
            Assert.Equal(_serverSource.Svid.Certificate.SerialNumber, first!.ServerSerial);
        }

        _serverSource.Svid = TestX509Source.IssueCredential(_pki, "/server");
        using var after = Workload("/client");
        var second = await after.GetFromJsonAsync<MtlsApi.Seen>("/whoami");

        Assert.Equal(_serverSource.Svid.Certificate.SerialNumber, second!.ServerSerial);
    }

    [Fact]
    public async Task BundleReplacedInSource_TrustFollowsWithoutRestart()
    {
        using var impostor = SvidCases.Now();
        var clientSource = new TestX509Source(TestX509Source.IssueCredential(impostor, "/client"), new SpiffeBundleSet(_pki.Ca.Bundle));
        using var client = new HttpClient(new SpiffeMtlsHttpHandler(clientSource, Server)) { BaseAddress = _api.Url };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/whoami"));

        _serverSource.Bundles = new SpiffeBundleSet(impostor.Ca.Bundle);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/whoami")).StatusCode);
    }
}
