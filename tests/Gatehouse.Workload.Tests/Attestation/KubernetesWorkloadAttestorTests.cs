using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Api.Proto;
using Gatehouse.Workload.Attestation;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gatehouse.Workload.Tests.Attestation;

/// <summary>
/// The Kubernetes attestor against a fake kubelet (real HTTPS on 127.0.0.1) and a fake /proc: the caller's pod is
/// found from its cgroup, looked up in the kubelet's pod list, and turned into k8s selectors.
/// </summary>
public sealed class KubernetesWorkloadAttestorTests : IAsyncLifetime
{
    private const string PodUid = "6bd2a4d3-a55a-4450-b6fd-2a7ecc72c0de";
    private static readonly string ContainerId = new('c', 64);
    private static readonly string OtherContainerId = new('d', 64);
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "billing", ["tier"] = "backend" };

    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-k8s-").FullName;
    private readonly FakeLogger _log = new();
    private FakeKubelet _kubelet = null!;

    private string ProcRoot => Path.Combine(_directory, "proc");

    public async Task InitializeAsync()
    {
        _kubelet = await FakeKubelet.StartAsync(_directory);
        await PutProcessAsync(4242, $"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{PodUid.Replace('-', '_')}.slice/cri-containerd-{ContainerId}.scope");
        await PutProcessAsync(7, "0::/system.slice/sshd.service");
    }

    public async Task DisposeAsync()
    {
        await _kubelet.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task PutProcessAsync(int pid, string cgroup)
    {
        Directory.CreateDirectory(Path.Combine(ProcRoot, pid.ToString()));
        await File.WriteAllTextAsync(Path.Combine(ProcRoot, pid.ToString(), "cgroup"), cgroup + "\n");
    }

    private KubeletOptions Options(Uri? url = null, bool skipVerification = false, string? caFile = null, TimeSpan? cacheTtl = null) => new()
    {
        PodListCacheTtl = cacheTtl ?? TimeSpan.FromSeconds(2),
        Url = url ?? _kubelet.Url,
        TokenFile = _kubelet.TokenFile,
        CaFile = caFile ?? _kubelet.CaFile,
        SkipVerification = skipVerification,
        MaxPollAttempts = 3,
        PollRetryInterval = TimeSpan.FromMilliseconds(20),
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    private async Task<IReadOnlyList<Selector>> AttestAsync(int pid, KubeletOptions? options = null)
    {
        options ??= Options();
        using var client = new KubeletClient(options);
        return await new KubernetesWorkloadAttestor(client, options, _log, procRoot: ProcRoot).AttestAsync(new PeerCredentials(pid, 1000, 1000), CancellationToken.None);
    }

    private static object ThePod(params string[] containers) => FakeKubelet.Pod(PodUid, "prod", "billing-7d4b9", "billing", Labels, containers);

    [Fact]
    public async Task Attest_ContainerListed_NamespaceServiceAccountAndLabels()
    {
        _kubelet.Serve(FakeKubelet.Pod("11111111-2222-3333-4444-555555555555", "other", "other-1", "other", new Dictionary<string, string> { ["app"] = "other" }, OtherContainerId),
            ThePod(OtherContainerId, ContainerId));

        var selectors = await AttestAsync(4242);

        Assert.Equal(["k8s:ns:prod", "k8s:sa:billing", "k8s:pod-label:app:billing", "k8s:pod-label:tier:backend"], selectors.Select(s => s.ToString()));
    }

    [Fact]
    public async Task Attest_SendsTheServiceAccountTokenAsBearer()
    {
        _kubelet.Serve(ThePod(ContainerId));

        await AttestAsync(4242);

        Assert.Equal(["Bearer " + FakeKubelet.Token], _kubelet.Authorizations);
    }

    [Fact]
    public async Task Attest_PodDoesNotListTheContainer_NoSelectorsAfterBoundedRetries()
    {
        _kubelet.Serve(ThePod(OtherContainerId));

        var selectors = await AttestAsync(4242);

        Assert.Empty(selectors);
        Assert.Equal(3, _kubelet.Authorizations.Count); // MaxPollAttempts, each with a fresh list
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains(ContainerId) && r.Message.Contains("not in the kubelet's pod list"));
    }

    [Fact]
    public async Task Attest_ContainerIdOfAnotherPod_NoSelectors()
    {
        // The container ID matches, but under another pod's UID than the cgroup names: not this caller's pod.
        _kubelet.Serve(FakeKubelet.Pod("11111111-2222-3333-4444-555555555555", "prod", "impostor", "admin", Labels, ContainerId));

        Assert.Empty(await AttestAsync(4242));
    }

    [Fact]
    public async Task Attest_ContainerListedAMomentLater_FoundOnRetry()
    {
        _kubelet.Serve(n => new { items = new[] { n < 3 ? ThePod() : ThePod(ContainerId) } });

        var selectors = await AttestAsync(4242);

        Assert.Contains(Selector.K8sNamespace("prod"), selectors);
        Assert.Equal(3, _kubelet.Authorizations.Count);
    }

    [Fact]
    public async Task Attest_TwoCallersInABurst_OneKubeletRequest()
    {
        _kubelet.Serve(ThePod(ContainerId));
        var options = Options(cacheTtl: TimeSpan.FromMinutes(5)); // long enough for any machine to make two calls
        using var client = new KubeletClient(options);
        var attestor = new KubernetesWorkloadAttestor(client, options, _log, procRoot: ProcRoot);

        await attestor.AttestAsync(new PeerCredentials(4242, 0, 0), CancellationToken.None);
        await attestor.AttestAsync(new PeerCredentials(4242, 0, 0), CancellationToken.None);

        Assert.Single(_kubelet.Authorizations);
    }

    [Fact]
    public async Task Attest_HostProcess_NoSelectorsAndKubeletNotAsked()
    {
        Assert.Empty(await AttestAsync(7));
        Assert.Empty(_kubelet.Authorizations);
    }

    [Fact]
    public async Task Attest_ProcessGone_AttestationFails()
    {
        await Assert.ThrowsAsync<WorkloadAttestationException>(() => AttestAsync(999999));
    }

    [Fact]
    public async Task Attest_KubeletUnreachable_FailsClosedWithWarning()
    {
        var closed = new Uri($"https://127.0.0.1:{FreeTcpPort()}");

        var e = await Assert.ThrowsAsync<WorkloadAttestationException>(() => AttestAsync(4242, Options(closed)));

        Assert.IsType<KubeletException>(e.InnerException);
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains(PodUid) && r.Message.Contains(closed.ToString()));
    }

    [Fact]
    public async Task Attest_KubeletError_FailsClosed()
    {
        _kubelet.Serve(_ => null);

        var e = await Assert.ThrowsAsync<WorkloadAttestationException>(() => AttestAsync(4242));

        Assert.Contains("500", e.InnerException!.Message);
    }

    [Fact]
    public async Task Attest_KubeletCertificateFromAnotherCa_Refused()
    {
        _kubelet.Serve(ThePod(ContainerId));
        await using var other = await FakeKubelet.StartAsync(Directory.CreateDirectory(Path.Combine(_directory, "other")).FullName);

        var e = await Assert.ThrowsAsync<WorkloadAttestationException>(() => AttestAsync(4242, Options(caFile: other.CaFile)));

        Assert.Empty(_kubelet.Authorizations); // the token never left for an unverified kubelet
        Assert.Contains("SSL", e.InnerException!.Message);
    }

    [Fact]
    public async Task Attest_KubeletNameMismatch_Refused()
    {
        // The certificate names 127.0.0.1 and node-1, not localhost.
        var url = new UriBuilder(_kubelet.Url) { Host = "localhost" }.Uri;

        var e = await Assert.ThrowsAsync<WorkloadAttestationException>(() => AttestAsync(4242, Options(url)));

        Assert.Contains("SSL", e.InnerException!.Message);
    }

    [Fact]
    public async Task Attest_SkipKubeletVerification_AcceptsAnyCertificate()
    {
        _kubelet.Serve(ThePod(ContainerId));
        await using var other = await FakeKubelet.StartAsync(Directory.CreateDirectory(Path.Combine(_directory, "other")).FullName);

        Assert.NotEmpty(await AttestAsync(4242, Options(skipVerification: true, caFile: other.CaFile)));
    }

    [Fact]
    public void Options_HttpKubeletUrl_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new KubeletClient(Options(new Uri("http://127.0.0.1:10255"))));

        Assert.Contains("https", e.Message);
    }

    /// <summary>
    /// Through the Workload API: the caller (this test process) is attested by Unix and Kubernetes attestors together
    /// and gets the entry that needs both; when the kubelet is down it gets Unavailable rather than a Unix-only identity.
    /// </summary>
    [Fact]
    public async Task WorkloadApi_UnixAndKubernetesSelectors_Combined()
    {
        await PutProcessAsync(Environment.ProcessId, $"0::/kubepods/burstable/pod{PodUid}/{ContainerId}");
        _kubelet.Serve(ThePod(ContainerId));
        var entries = new InMemoryRegistrationEntryStore();
        await entries.CreateAsync(new RegistrationEntry("billing", SpiffeId.Parse("spiffe://example.org/billing"),
            [Selector.UnixUid(TestPki.CurrentUid()), Selector.K8sNamespace("prod"), Selector.K8sPodLabel("app", "billing")]), CancellationToken.None);
        using var ca = new WorkloadCaManager(new WorkloadCaOptions { TrustDomain = TrustDomain.Parse("example.org") }, TimeProvider.System);
        var socket = Path.Combine(_directory, "agent.sock");

        foreach (var (kubeletUrl, expected) in new[] { (_kubelet.Url, StatusCode.OK), (new Uri($"https://127.0.0.1:{FreeTcpPort()}"), StatusCode.Unavailable) })
        {
            var options = Options(kubeletUrl);
            using var kubelet = new KubeletClient(options);
            var attestor = new CompositeWorkloadAttestor(new UnixWorkloadAttestor(), new KubernetesWorkloadAttestor(kubelet, options, _log, procRoot: ProcRoot));
            await using var app = WorkloadApiHost.Create(socket, ca, entries, attestor);
            await app.StartAsync();
            using var client = new WorkloadApiClient(socket);

            var status = StatusCode.OK;
            try
            {
                var response = await client.Raw.FetchJWTSVIDAsync(new JWTSVIDRequest { Audience = { "api" } }, WorkloadApiClient.Headers);
                Assert.Equal("spiffe://example.org/billing", response.Svids.Single().SpiffeId);
            }
            catch (RpcException e)
            {
                status = e.StatusCode;
            }
            Assert.Equal(expected, status);
            await app.StopAsync();
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
