using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Jwt;
using Gatehouse.Workload.Server;
using Gatehouse.Workload.Tests;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary>
/// <c>gatehouse workload server</c> with real agents: a server process on a migrated SQLite store, agents joined with
/// join tokens, workloads on the agents' Unix sockets.
/// </summary>
public sealed class WorkloadServerTests : IAsyncLifetime
{
    private static readonly TrustDomain Td = TrustDomain.Parse("example.org");
    private readonly TempDirectory _directory = new();
    private readonly TestConfiguration _config;
    private readonly List<GatehouseProcess> _processes = [];
    private int _port;

    public WorkloadServerTests()
    {
        _config = TestConfiguration.Create(_directory.Path, port: 1);
        _config.Gatehouse["Workload"] = new JsonObject { ["TrustDomain"] = "example.org" };
    }

    private string Server => $"https://127.0.0.1:{_port}";
    private string BundleFile => _directory.Combine("bundle.pem");

    public async Task InitializeAsync() => await Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        _directory.Dispose();
    }

    private async Task<CommandResult> RunAsync(params string[] args) => await GatehouseProcess.RunAsync([.. args, "--config", _config.Path]);

    /// <summary>Saves the configuration, migrates, registers this process's uid as spiffe://example.org/test, writes the bundle, starts the server.</summary>
    private async Task StartServerAsync(JsonObject? workload = null)
    {
        foreach (var (key, value) in workload ?? [])
            _config.Gatehouse["Workload"]![key] = value?.DeepClone();
        _config.Save();
        Assert.Equal(0, (await RunAsync("migrate")).ExitCode);
        var add = await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/test", "--selector", $"unix:uid:{TestPki.CurrentUid()}",
            "--dns-name", "test.local");
        Assert.True(add.ExitCode == 0, add.Description);
        var bundle = await RunAsync("workload", "bundle");
        Assert.True(bundle.ExitCode == 0, bundle.Description);
        await File.WriteAllTextAsync(BundleFile, bundle.Stdout);
        _port = FreePort.Next();
        var server = GatehouseProcess.Start(["workload", "server", "--config", _config.Path, "--listen", $"127.0.0.1:{_port}"], _directory.Path);
        _processes.Add(server);
        await server.WaitForStdoutAsync("Workload server:", GatehouseProcess.DefaultStartTimeout);
    }

    private async Task<string> CreateTokenAsync(params string[] options)
    {
        var token = await RunAsync(["workload", "token", "create", .. options]);
        Assert.True(token.ExitCode == 0, token.Description);
        Assert.Contains("spiffe://example.org/gatehouse/agent/join_token/", token.Stderr);
        return token.Stdout.Trim();
    }

    private string[] AgentArgs(string socket, string token) =>
        ["workload", "agent", "--socket", socket, "--trust-domain", "example.org", "--server", Server, "--join-token", token, "--server-bundle", BundleFile];

    private async Task<string> StartAgentAsync(string name = "agent")
    {
        var socket = _directory.Combine(name, "agent.sock");
        var agent = GatehouseProcess.Start(AgentArgs(socket, await CreateTokenAsync()), _directory.Path);
        _processes.Add(agent);
        await agent.WaitForStdoutAsync("Workload API:", GatehouseProcess.DefaultStartTimeout);
        Assert.Contains("as spiffe://example.org/gatehouse/agent/join_token/", agent.Stdout);
        return socket;
    }

    private SpiffeBundle ServerBundle()
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(BundleFile);
        return new SpiffeBundle(Td, roots);
    }

    [Fact]
    public async Task AgentFedByTheServer_GivesAWorkloadSvids_ThatVerifyAgainstTheServersBundle()
    {
        await StartServerAsync();
        var socket = await StartAgentAsync();

        using var client = new WorkloadApiClient(socket);
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = await client.WatchX509SvidsAsync(watch.Token).FirstAsync(watch.Token);
        var svid = Assert.Single(first.Svids);
        var chain = WorkloadApiClient.ParseCertificates(svid.X509Svid.Memory);
        var result = new X509SvidValidator().Validate(chain, ServerBundle());
        Assert.True(result.IsValid, result.Error.ToString());
        Assert.Equal("spiffe://example.org/test", result.Id!.ToString());
        Assert.Equal("CN=test.local", chain[0].Subject);
        // The private key was made by the agent and matches the leaf the server signed.
        var credential = X509SvidCredential.FromPkcs8(chain, svid.X509SvidKey.Span);
        Assert.True(credential.Certificate.HasPrivateKey);

        var jwt = Assert.Single(await client.FetchJwtSvidsAsync(["billing"], cancellationToken: watch.Token));
        using var jwtBundles = client.Raw.FetchJWTBundles(new Gatehouse.Workload.Api.Proto.JWTBundlesRequest(), WorkloadApiClient.Headers, cancellationToken: watch.Token);
        Assert.True(await jwtBundles.ResponseStream.MoveNext(watch.Token));
        var jwtBundle = SpiffeBundle.Parse(Td, jwtBundles.ResponseStream.Current.Bundles["spiffe://example.org"].ToStringUtf8());
        var validated = await new JwtSvidValidator().ValidateAsync(jwt.Svid, jwtBundle, "billing");
        Assert.True(validated.IsValid, validated.Error.ToString());
        Assert.Equal("spiffe://example.org/test", validated.Id!.ToString());
    }

    [Fact]
    public async Task TwoAgents_ShareTheServersCa()
    {
        await StartServerAsync();
        var a = await StartAgentAsync("a");
        var b = await StartAgentAsync("b");

        using var clientA = new WorkloadApiClient(a);
        using var clientB = new WorkloadApiClient(b);
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var fromA = await clientA.WatchX509SvidsAsync(watch.Token).FirstAsync(watch.Token);
        var fromB = await clientB.WatchX509SvidsAsync(watch.Token).FirstAsync(watch.Token);

        // Each agent's SVID verifies against the bundle the other agent hands out.
        var bundleOfB = new SpiffeBundle(Td, WorkloadApiClient.ParseCertificates(fromB.Svids[0].Bundle.Memory));
        var bundleOfA = new SpiffeBundle(Td, WorkloadApiClient.ParseCertificates(fromA.Svids[0].Bundle.Memory));
        Assert.True(new X509SvidValidator().Validate(WorkloadApiClient.ParseCertificates(fromA.Svids[0].X509Svid.Memory), bundleOfB).IsValid);
        Assert.True(new X509SvidValidator().Validate(WorkloadApiClient.ParseCertificates(fromB.Svids[0].X509Svid.Memory), bundleOfA).IsValid);
    }

    [Fact]
    public async Task EntryPinnedToAnAgent_ServedThroughThatAgentOnly()
    {
        await StartServerAsync();
        var a = await StartAgentAsync("a");
        var b = await StartAgentAsync("b");
        var agentA = System.Text.RegularExpressions.Regex.Match(_processes[^2].Stdout, @"as (spiffe://example\.org/gatehouse/agent/join_token/[^\s)]+)").Groups[1].Value;
        Assert.StartsWith("spiffe://example.org/gatehouse/agent/", agentA);
        // The same workload selectors as spiffe://example.org/test, plus the agent it must come through.
        var add = await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/pinned",
            "--selector", $"unix:uid:{TestPki.CurrentUid()}", "--selector", $"agent:id:{agentA}");
        Assert.True(add.ExitCode == 0, add.Description);

        using var clientA = new WorkloadApiClient(a);
        using var clientB = new WorkloadApiClient(b);
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var fromA = await clientA.FetchJwtSvidsAsync(["billing"], cancellationToken: watch.Token);
        var fromB = await clientB.FetchJwtSvidsAsync(["billing"], cancellationToken: watch.Token);

        Assert.Equal(["spiffe://example.org/pinned", "spiffe://example.org/test"], fromA.Select(s => s.SpiffeId).Order());
        Assert.Equal(["spiffe://example.org/test"], fromB.Select(s => s.SpiffeId));
    }

    [Fact]
    public async Task JoinToken_UsedUnknownOrExpired_IsRefused()
    {
        await StartServerAsync();
        var token = await CreateTokenAsync();
        var first = GatehouseProcess.Start(AgentArgs(_directory.Combine("first", "agent.sock"), token), _directory.Path);
        _processes.Add(first);
        await first.WaitForStdoutAsync("Workload API:", GatehouseProcess.DefaultStartTimeout);
        var expiring = await CreateTokenAsync("--ttl", "1");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // past the token's expiry (whole seconds in the store)

        foreach (var (name, presented) in new[] { ("used", token), ("unknown", "bm90LWEtdG9rZW4tYXQtYWxsLWp1c3QtcmFuZG9tLWJ5dGVz"), ("expired", expiring) })
        {
            var refused = await GatehouseProcess.RunAsync(AgentArgs(_directory.Combine(name, "agent.sock"), presented));
            Assert.True(refused.ExitCode == 1, $"{name}: {refused.Description}");
            Assert.Contains("invalid_join_token", refused.Stderr);
            Assert.Contains("401", refused.Stderr);
        }
        Assert.Contains("Refused a join token", string.Concat(_processes[0].Stdout, _processes[0].Stderr));
    }

    [Fact]
    public async Task Server_RefusesCallsWithoutAValidAgentSvid()
    {
        await StartServerAsync();
        var socket = await StartAgentAsync();
        using var workloads = new WorkloadApiClient(socket);
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var workloadSvid = (await workloads.WatchX509SvidsAsync(watch.Token).FirstAsync(watch.Token)).Svids[0];
        var workload = X509SvidCredential.FromPkcs8(WorkloadApiClient.ParseCertificates(workloadSvid.X509Svid.Memory), workloadSvid.X509SvidKey.Span);
        using var impostorPki = new TestPki(start: DateTimeOffset.UtcNow); // same trust domain name, another CA
        using var impostor = impostorPki.Ca.IssueX509Svid(SpiffeId.Parse("spiffe://example.org/gatehouse/agent/join_token/forged"));
        var request = new { selectors = new[] { $"unix:uid:{TestPki.CurrentUid()}" }, audience = new[] { "billing" } };

        // No client certificate, and a valid workload (not agent) SVID: the TLS session is accepted, the call is not.
        foreach (var credential in new X509SvidCredential?[] { null, workload })
        {
            using var http = Http(credential);
            using var response = await http.PostAsJsonAsync($"{Server}{WorkloadServerHost.JwtSvidsPath}", request, watch.Token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("agent_svid_required", await response.Content.ReadAsStringAsync(watch.Token));
        }
        // An agent ID signed by another CA ends the handshake.
        using var forged = Http(impostor.ToCredential());
        await Assert.ThrowsAsync<HttpRequestException>(() => forged.PostAsJsonAsync($"{Server}{WorkloadServerHost.JwtSvidsPath}", request, watch.Token));
    }

    [Fact]
    public async Task SvidsKeepRenewing_AcrossTheServersIntermediateRotation()
    {
        // The intermediate rotates every 10 s (activated at ⅚ of 12 s); SVIDs live 4 s, re-sent at half-life.
        await StartServerAsync(new JsonObject { ["IntermediateTtl"] = "00:00:12", ["X509SvidTtl"] = "00:00:04" });
        var socket = await StartAgentAsync();
        var bundle = ServerBundle();

        using var client = new WorkloadApiClient(socket);
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var intermediates = new HashSet<string>();
        var messages = 0;
        await foreach (var message in client.WatchX509SvidsAsync(watch.Token))
        {
            var chain = WorkloadApiClient.ParseCertificates(message.Svids[0].X509Svid.Memory);
            var result = new X509SvidValidator().Validate(chain, bundle);
            Assert.True(result.IsValid, $"message {messages}: {result.Error}");
            intermediates.Add(chain[1].Thumbprint);
            messages++;
            if (intermediates.Count >= 3)
                break;
        }
        Assert.True(intermediates.Count >= 3, $"{intermediates.Count} intermediates in {messages} messages");
    }

    [Fact]
    public async Task ServerDown_WorkloadCallsAreUnavailable()
    {
        await StartServerAsync();
        var socket = await StartAgentAsync();
        using var client = new WorkloadApiClient(socket);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Single(await client.FetchJwtSvidsAsync(["billing"], cancellationToken: timeout.Token));

        var server = _processes[0];
        _processes.Remove(server);
        await server.DisposeAsync(); // stops it
        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => client.FetchJwtSvidsAsync(["billing"], cancellationToken: timeout.Token));

        Assert.Equal(Grpc.Core.StatusCode.Unavailable, e.StatusCode);
        Assert.Contains("unreachable", e.Status.Detail);
    }

    [Theory]
    [InlineData(new[] { "--join-token", "t" }, "--join-token and --server-bundle need --server")]
    [InlineData(new[] { "--server", "https://127.0.0.1:1", "--entries", "entries.json" }, "--entries configures the in-process CA and cannot be used with --server")]
    [InlineData(new[] { "--server", "http://127.0.0.1:1", "--join-token", "t" }, "must be an https URL")]
    [InlineData(new[] { "--server", "https://127.0.0.1:1", "--join-token", "t" }, "--server needs --server-bundle")]
    public async Task Agent_ServerOptionsMisused_ConfigurationError(string[] options, string message)
    {
        var result = await GatehouseProcess.RunAsync(["workload", "agent", "--socket", _directory.Combine("agent.sock"), "--trust-domain", "example.org", .. options]);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}, expected 2 (configuration error): {result.Description}");
        Assert.Contains(message, result.Stderr);
    }

    /// <summary>A client that accepts only the server's SPIFFE ID under the server's bundle, presenting <paramref name="credential"/>.</summary>
    private HttpClient Http(X509SvidCredential? credential)
    {
        var bundles = new SpiffeBundleSet(ServerBundle());
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = credential?.TlsContext,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    SpiffePeerValidation.Validate(certificate, chain, bundles, new X509SvidValidator()) is { IsValid: true } r && r.Id == WorkloadServerIds.Server(Td),
            },
        });
    }
}
