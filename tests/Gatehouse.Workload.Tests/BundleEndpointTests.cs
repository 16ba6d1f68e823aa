using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Federation;
using Gatehouse.Workload.Registration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Workload.Tests;

/// <summary>
/// Federation through the SPIFFE bundle endpoint (SPIFFE_Trust_Domain_and_Bundle §5) over real HTTPS on 127.0.0.1:
/// example.org serves its bundle, other.org fetches it and its agent hands it to its workloads as a federated bundle.
/// </summary>
public sealed class BundleEndpointTests : IAsyncLifetime
{
    private static readonly SpiffeId EndpointId = SpiffeId.Parse("spiffe://example.org/bundle-endpoint");
    private readonly WorkloadCaManager _exampleOrg = new(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse("example.org") }, TimeProvider.System);
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-federation-").FullName;
    private WebApplication _endpoint = null!;
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        _endpoint = BundleEndpointServer.CreateHttpsSpiffe(_exampleOrg, EndpointId, new IPEndPoint(IPAddress.Loopback, 0));
        _url = await StartAsync(_endpoint);
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _exampleOrg.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private Task<SpiffeBundle> FetchAsync(SpiffeId endpointId, SpiffeBundle endpointBundle) =>
        BundleEndpointClient.FetchHttpsSpiffeAsync(_url, _exampleOrg.TrustDomain, endpointId, endpointBundle);

    [Fact]
    public async Task HttpsSpiffe_ServesTheTrustDomainsBundle_AsSpiffeJwks()
    {
        var fetched = await FetchAsync(EndpointId, _exampleOrg.Bundle);

        Assert.Equal(_exampleOrg.TrustDomain, fetched.TrustDomain);
        Assert.Equal(_exampleOrg.Bundle.X509Authorities.Select(c => c.Thumbprint), fetched.X509Authorities.Select(c => c.Thumbprint));
        Assert.Equal(_exampleOrg.Bundle.JwtAuthorities.Keys.Order(), fetched.JwtAuthorities.Keys.Order());
        Assert.Equal(_exampleOrg.Bundle.SequenceNumber, fetched.SequenceNumber);
    }

    [Fact]
    public async Task HttpsSpiffe_EndpointWithAnotherSpiffeId_Refused() =>
        await Assert.ThrowsAsync<HttpRequestException>(() => FetchAsync(SpiffeId.Parse("spiffe://example.org/not-the-endpoint"), _exampleOrg.Bundle));

    [Fact]
    public async Task HttpsSpiffe_EndpointNotVouchedForByTheHeldBundle_Refused()
    {
        using var impostor = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse("example.org") }, TimeProvider.System);

        await Assert.ThrowsAsync<HttpRequestException>(() => FetchAsync(EndpointId, impostor.Bundle));
    }

    [Fact]
    public async Task HttpsWeb_WebPkiCertificateAndHostName_AuthenticateTheEndpoint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var web = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        await using var endpoint = BundleEndpointServer.CreateHttpsWeb(_exampleOrg, SslStreamCertificateContext.Create(web, null, offline: true), new IPEndPoint(IPAddress.Loopback, 0));
        var url = await StartAsync(endpoint);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { web }, RevocationMode = X509RevocationMode.NoCheck },
            },
        });

        var fetched = await BundleEndpointClient.FetchHttpsWebAsync(http, new UriBuilder(url) { Host = "localhost" }.Uri, _exampleOrg.TrustDomain);
        Assert.Equal(_exampleOrg.Bundle.X509Authorities.Select(c => c.Thumbprint), fetched.X509Authorities.Select(c => c.Thumbprint));

        // The same endpoint by IP: the host name no longer matches the Web PKI certificate.
        await Assert.ThrowsAsync<HttpRequestException>(() => BundleEndpointClient.FetchHttpsWebAsync(http, url, _exampleOrg.TrustDomain));
    }

    [Fact]
    public async Task Federation_OtherTrustDomainsWorkloads_ValidateExampleOrgSvids()
    {
        var fetched = await FetchAsync(EndpointId, _exampleOrg.Bundle);
        using var otherOrg = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse("other.org") }, TimeProvider.System);
        var entries = new InMemoryRegistrationEntryStore();
        await entries.CreateAsync(new RegistrationEntry("reports", SpiffeId.Parse("spiffe://other.org/reports"), [Selector.UnixUid(TestPki.CurrentUid())]));
        var socket = Path.Combine(_directory, "agent.sock");
        await using var agent = WorkloadApiHost.Create(socket, otherOrg, entries, federation: new WorkloadApiFederation([fetched]));
        await agent.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var reports = await WorkloadApiX509Source.StartAsync(WorkloadEndpointAddress.Unix(socket), cancellationToken: timeout.Token);
        using var client = new WorkloadApiClient(socket);
        using var api = _exampleOrg.IssueX509Svid(SpiffeId.Parse("spiffe://example.org/api"));

        // X.509: the workload of other.org holds example.org's bundle, under example.org only.
        Assert.True(new X509SvidValidator().Validate(api.Certificates, reports.Bundles).IsValid);
        Assert.False(new X509SvidValidator().Validate(api.Certificates, new SpiffeBundleSet(otherOrg.Bundle)).IsValid);
        // JWT: other.org's agent validates example.org's JWT-SVID with the federated jwt-svid keys.
        var validated = await client.ValidateJwtSvidAsync(_exampleOrg.IssueJwtSvid(SpiffeId.Parse("spiffe://example.org/api"), ["reports"]), "reports");
        Assert.Equal("spiffe://example.org/api", validated.SpiffeId);
        await agent.StopAsync();
    }
}
