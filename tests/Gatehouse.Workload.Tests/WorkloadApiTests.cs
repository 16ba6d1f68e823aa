using Gatehouse.Protocol.Spiffe;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Api.Proto;
using Gatehouse.Workload.X509;
using Gatehouse.Workload.Jwt;
using Gatehouse.Workload.Registration;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Workload.Tests;

/// <summary>
/// SPIFFE_Workload_API §6 over a real Unix socket in a temp directory: the test process is the workload, attested
/// by its own uid/gid/binary through SO_PEERCRED.
/// </summary>
public sealed class WorkloadApiTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private readonly InMemoryRegistrationEntryStore _entries = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-workload-").FullName;
    private WebApplication? _server;
    private WorkloadApiClient? _client;

    private string Socket => Path.Combine(_directory, "api.sock");
    private WorkloadApiClient Client => _client!;

    public async Task InitializeAsync()
    {
        _server = WorkloadApiHost.Create(Socket, _pki.Ca, _entries, timeProvider: _pki.Clock);
        await _server.StartAsync();
        _client = new WorkloadApiClient(Socket);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
        _pki.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static uint GetGid() => uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Gid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);

    [Fact]
    public async Task FetchJWTSVID_EntryMatchingCallerUid_ReturnsValidJwtSvid()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));

        var svid = Assert.Single(await Client.FetchJwtSvidsAsync(["appointments"]));

        Assert.Equal("spiffe://example.org/api", svid.SpiffeId);
        var result = await new JwtSvidValidator(_pki.Clock).ValidateAsync(svid.Svid, _pki.Ca.Bundle, "appointments");
        Assert.Equal(JwtSvidError.None, result.Error);
        Assert.Equal(_pki.Id("/api"), result.Id);
    }

    [Fact]
    public async Task FetchJWTSVID_SelectorsFromPeerCredentials_UidGidAndBinaryPath()
    {
        var path = new FileInfo($"/proc/{Environment.ProcessId}/exe").LinkTarget!;
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid()), Selector.UnixGid(GetGid()), Selector.UnixPath(path)]));

        Assert.Single(await Client.FetchJwtSvidsAsync(["appointments"]));
    }

    [Fact]
    public async Task FetchJWTSVID_MultipleAudiences_AllInAud()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));

        var svid = Assert.Single(await Client.FetchJwtSvidsAsync(["a", "b"]));

        Assert.Equal(["a", "b"], new JsonWebToken(svid.Svid).Audiences);
    }

    [Fact]
    public async Task FetchJWTSVID_RequestedSpiffeId_OnlyThatOne()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));
        await _entries.CreateAsync(new RegistrationEntry("admin", _pki.Id("/admin"), [Selector.UnixUid(TestPki.CurrentUid())]));

        Assert.Equal(2, (await Client.FetchJwtSvidsAsync(["x"])).Count);
        var svid = Assert.Single(await Client.FetchJwtSvidsAsync(["x"], "spiffe://example.org/admin"));
        Assert.Equal("spiffe://example.org/admin", svid.SpiffeId);
    }

    [Fact]
    public async Task FetchJWTSVID_NoMatchingEntry_PermissionDenied()
    {
        await _entries.CreateAsync(new RegistrationEntry("other", _pki.Id("/other"), [Selector.UnixUid(TestPki.CurrentUid() + 4242)]));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.FetchJwtSvidsAsync(["appointments"]));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task FetchJWTSVID_NoAudience_InvalidArgument()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.FetchJwtSvidsAsync([]));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task FetchJWTSVID_WithoutSecurityHeader_InvalidArgument()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));
        var request = new JWTSVIDRequest { Audience = { "appointments" } };

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Client.Raw.FetchJWTSVIDAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task ValidateJWTSVID_ValidToken_ReturnsIdAndClaims()
    {
        var token = _pki.Ca.IssueJwtSvid(_pki.Id("/billing"), ["appointments"]);

        var response = await Client.ValidateJwtSvidAsync(token, "appointments");

        Assert.Equal("spiffe://example.org/billing", response.SpiffeId);
        Assert.Equal("spiffe://example.org/billing", response.Claims.Fields["sub"].StringValue);
        Assert.Equal("appointments", response.Claims.Fields["aud"].StringValue);
    }

    [Fact]
    public async Task ValidateJWTSVID_WrongAudience_InvalidArgument()
    {
        var token = _pki.Ca.IssueJwtSvid(_pki.Id("/billing"), ["appointments"]);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.ValidateJwtSvidAsync(token, "payments"));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(nameof(JwtSvidError.AudienceMismatch), ex.Status.Detail);
    }

    private static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task FetchX509SVID_FirstMessage_ChainKeyAndBundleValidate()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())], ["api"]));
        using var call = Client.Raw.FetchX509SVID(new X509SVIDRequest(), WorkloadApiClient.Headers);

        Assert.True(await call.ResponseStream.MoveNext(Soon));
        var svid = Assert.Single(call.ResponseStream.Current.Svids);

        Assert.Equal("spiffe://example.org/api", svid.SpiffeId);
        var chain = WorkloadApiClient.ParseCertificates(svid.X509Svid.Memory);
        var roots = WorkloadApiClient.ParseCertificates(svid.Bundle.Memory);
        Assert.Equal(2, chain.Count);
        var result = new X509SvidValidator(_pki.Clock).Validate(chain, new SpiffeBundle(_pki.TrustDomain, roots));
        Assert.Equal(X509SvidError.None, result.Error);
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportPkcs8PrivateKey(svid.X509SvidKey.Span, out _);
        Assert.Equal(chain[0].GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task FetchX509SVID_AtHalfLife_SendsRenewedSvid()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));
        using var call = Client.Raw.FetchX509SVID(new X509SVIDRequest(), WorkloadApiClient.Headers);
        Assert.True(await call.ResponseStream.MoveNext(Soon));
        var first = WorkloadApiClient.ParseCertificates(call.ResponseStream.Current.Svids[0].X509Svid.Memory)[0];

        _pki.Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.True(await call.ResponseStream.MoveNext(Soon));
        var second = WorkloadApiClient.ParseCertificates(call.ResponseStream.Current.Svids[0].X509Svid.Memory)[0];
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        Assert.True(second.NotAfter > first.NotAfter);
    }

    [Fact]
    public async Task FetchX509SVID_NotEntitled_PermissionDenied()
    {
        using var call = Client.Raw.FetchX509SVID(new X509SVIDRequest(), WorkloadApiClient.Headers);

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Soon));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task FetchX509Bundles_KeyedByTrustDomainId_DerRoots()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));
        using var call = Client.Raw.FetchX509Bundles(new X509BundlesRequest(), WorkloadApiClient.Headers);

        Assert.True(await call.ResponseStream.MoveNext(Soon));

        var (id, der) = Assert.Single(call.ResponseStream.Current.Bundles);
        Assert.Equal("spiffe://example.org", id);
        Assert.Equal(_pki.Ca.CurrentRoot.Thumbprint, Assert.Single(WorkloadApiClient.ParseCertificates(der.Memory)).Thumbprint);
    }

    [Fact]
    public async Task FetchJWTBundles_OnlyJwtKeys_AndResentWhenBundleChanges()
    {
        await _entries.CreateAsync(new RegistrationEntry("api", _pki.Id("/api"), [Selector.UnixUid(TestPki.CurrentUid())]));
        using var call = Client.Raw.FetchJWTBundles(new JWTBundlesRequest(), WorkloadApiClient.Headers);
        Assert.True(await call.ResponseStream.MoveNext(Soon));
        var first = SpiffeBundle.Parse(_pki.TrustDomain, call.ResponseStream.Current.Bundles["spiffe://example.org"].ToStringUtf8());
        Assert.Single(first.JwtAuthorities);
        Assert.Empty(first.X509Authorities);
        Assert.DoesNotContain("x509-svid", call.ResponseStream.Current.Bundles["spiffe://example.org"].ToStringUtf8());

        _pki.Clock.Advance(TimeSpan.FromHours(12)); // next JWT key is prepared and published
        _pki.Ca.Rotate();

        Assert.True(await call.ResponseStream.MoveNext(Soon));
        var second = SpiffeBundle.Parse(_pki.TrustDomain, call.ResponseStream.Current.Bundles["spiffe://example.org"].ToStringUtf8());
        Assert.Equal(2, second.JwtAuthorities.Count);
        Assert.True(second.SequenceNumber > first.SequenceNumber);
    }
}
