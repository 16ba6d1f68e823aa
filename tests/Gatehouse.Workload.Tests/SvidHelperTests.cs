using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Helper;
using Gatehouse.Workload.Jwt;
using Gatehouse.Workload.Registration;
using Gatehouse.Workload.X509;
using Microsoft.AspNetCore.Builder;

namespace Gatehouse.Workload.Tests;

/// <summary>
/// The helper against a real agent on a Unix socket in a temp directory, on the real clock: this test process is the
/// workload (attested by its uid through SO_PEERCRED) and reads the files the way a server would.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SvidHelperTests : IAsyncLifetime
{
    private static readonly TrustDomain Td = TrustDomain.Parse("example.org");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-helper-").FullName;
    private readonly InMemoryRegistrationEntryStore _entries = new();
    private readonly WorkloadCaManager _ca = new(new WorkloadCaOptions { TrustDomain = Td }, TimeProvider.System);
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _agent;

    private string Socket => Path.Combine(_directory, "agent.sock");
    private string CertDir => Path.Combine(_directory, "certs");
    private string FileIn(string name) => Path.Combine(CertDir, name);

    public async Task InitializeAsync()
    {
        _agent = WorkloadApiHost.Create(Socket, _ca, _entries);
        await _agent.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_agent is not null)
        {
            await _agent.StopAsync();
            await _agent.DisposeAsync();
        }
        _ca.Dispose();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }


    private Task RegisterSelfAsync(TimeSpan? x509Ttl = null) =>
        _entries.CreateAsync(new RegistrationEntry("me", SpiffeId.FromPath(Td, "/api"), [Selector.UnixUid(TestPki.CurrentUid())], x509SvidTtl: x509Ttl));

    private SvidHelperOptions Options(Action<SvidHelperOptions>? configure = null)
    {
        var options = new SvidHelperOptions { AgentAddress = "unix://" + Socket, CertDir = CertDir };
        configure?.Invoke(options);
        return options;
    }

    private (SvidHelper Helper, Task Run) Start(SvidHelperOptions options)
    {
        var helper = new SvidHelper(options) { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(200) };
        return (helper, helper.RunAsync(_stop.Token));
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Patience)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }

    private static X509Certificate2[] ReadChain(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return [.. collection];
    }

    [Fact]
    public async Task Helper_FirstSvid_WritesCertKeyBundleWithModes()
    {
        await RegisterSelfAsync();
        var (helper, _) = Start(Options());

        await helper.FirstWrite.WaitAsync(Patience);

        Assert.Equal(AtomicFile.Public, File.GetUnixFileMode(FileIn("svid.pem")));
        Assert.Equal(AtomicFile.Private, File.GetUnixFileMode(FileIn("svid_key.pem")));
        Assert.Equal(AtomicFile.Public, File.GetUnixFileMode(FileIn("svid_bundle.pem")));
        Assert.Equal(["svid.pem", "svid_bundle.pem", "svid_key.pem"], Directory.GetFiles(CertDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Helper_FilesContent_ValidatesWithSvidValidatorAndKeyMatches()
    {
        await RegisterSelfAsync();
        var (helper, _) = Start(Options());
        await helper.FirstWrite.WaitAsync(Patience);

        var chain = ReadChain(FileIn("svid.pem"));
        var bundle = new SpiffeBundle(Td, ReadChain(FileIn("svid_bundle.pem")));
        var result = new X509SvidValidator().Validate(chain, bundle);

        Assert.Equal(X509SvidError.None, result.Error);
        Assert.Equal("spiffe://example.org/api", result.Id!.ToString());
        Assert.Equal(2, chain.Length); // leaf + intermediate; the root is in the bundle
        Assert.Equal(_ca.CurrentRoot.Thumbprint, Assert.Single(bundle.X509Authorities).Thumbprint);

        var keyPem = File.ReadAllText(FileIn("svid_key.pem"));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", keyPem); // PKCS#8, not "EC PRIVATE KEY"
        using var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        using var withKey = chain[0].CopyWithPrivateKey(key); // throws if the key is not the leaf's
        var data = "proof"u8.ToArray();
        Assert.True(chain[0].GetECDsaPublicKey()!.VerifyData(data, key.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task Helper_ShortLivedSvids_RewritesAtomically_ReaderNeverSeesPartialFile()
    {
        await RegisterSelfAsync(TimeSpan.FromSeconds(2)); // the agent pushes a new SVID at half-life: about every second
        var (helper, _) = Start(Options());
        await helper.FirstWrite.WaitAsync(Patience);

        var serials = new HashSet<string>();
        var reads = 0;
        var failures = new List<string>();
        using var readerStop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!readerStop.IsCancellationRequested)
            {
                try
                {
                    var certPem = File.ReadAllText(FileIn("svid.pem"));
                    var keyPem = File.ReadAllText(FileIn("svid_key.pem"));
                    var bundlePem = File.ReadAllText(FileIn("svid_bundle.pem"));
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPem(certPem);
                    if (chain.Count != 2 || !certPem.EndsWith("-----END CERTIFICATE-----\n", StringComparison.Ordinal))
                        failures.Add($"svid.pem had {chain.Count} certificates, length {certPem.Length}");
                    using var key = ECDsa.Create();
                    key.ImportFromPem(keyPem);
                    var bundle = new X509Certificate2Collection();
                    bundle.ImportFromPem(bundlePem);
                    if (bundle.Count == 0)
                        failures.Add("svid_bundle.pem was empty");
                    serials.Add(chain[0].SerialNumber);
                    reads++;
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
                {
                    failures.Add($"{e.GetType().Name}: {e.Message}");
                }
            }
        });

        await Eventually(() => helper.Updates >= 4, "three rewrites after the first SVID");
        await readerStop.CancelAsync();
        await reader;

        Assert.Empty(failures);
        Assert.True(serials.Count >= 3, $"reader saw {serials.Count} distinct SVIDs over {reads} reads");
        Assert.True(reads > 50, $"only {reads} reads");
        Assert.Empty(Directory.GetFiles(CertDir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(CertDir, ".*")));
        var result = new X509SvidValidator().Validate(ReadChain(FileIn("svid.pem")), new SpiffeBundle(Td, ReadChain(FileIn("svid_bundle.pem"))));
        Assert.Equal(X509SvidError.None, result.Error);
        Assert.Equal(AtomicFile.Private, File.GetUnixFileMode(FileIn("svid_key.pem")));
    }

    [Fact]
    public async Task Ready_BeforeFirstSvid503_After200_Live200Throughout()
    {
        // No entry yet: the agent denies the helper, which keeps retrying.
        var options = Options(o => { o.HealthChecks.ListenerEnabled = true; o.HealthChecks.BindPort = 0; });
        var helper = new SvidHelper(options) { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(200) };
        await using var health = SvidHelperHealth.Create(helper, options.HealthChecks);
        await health.StartAsync();
        var address = SvidHelperHealth.BoundAddress(health);
        Assert.Equal(IPAddress.Loopback.ToString(), address.Host);
        using var http = new HttpClient { BaseAddress = address };
        _ = helper.RunAsync(_stop.Token);
        await Task.Delay(300); // a few denied attempts

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/live")).StatusCode);
        Assert.False(File.Exists(FileIn("svid.pem")));

        await RegisterSelfAsync();
        await helper.FirstWrite.WaitAsync(Patience);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/live")).StatusCode);
        Assert.True(File.Exists(FileIn("svid.pem")));
    }

    [Fact]
    public async Task Helper_JwtSvids_WrittenPerAudience_0600_Valid()
    {
        await RegisterSelfAsync();
        var (helper, _) = Start(Options(o =>
        {
            o.JwtSvids.Add(new JwtSvidFileOptions { JwtAudience = "billing", JwtSvidFileName = "billing.jwt" });
            o.JwtSvids.Add(new JwtSvidFileOptions { JwtAudience = "records", JwtSvidFileName = "records.jwt" });
        }));
        await helper.FirstWrite.WaitAsync(Patience);

        foreach (var (audience, file) in new[] { ("billing", "billing.jwt"), ("records", "records.jwt") })
        {
            Assert.Equal(AtomicFile.Private, File.GetUnixFileMode(FileIn(file)));
            var result = await new JwtSvidValidator().ValidateAsync(File.ReadAllText(FileIn(file)), _ca.Bundle, audience);
            Assert.Equal(JwtSvidError.None, result.Error);
            Assert.Equal("spiffe://example.org/api", result.Id!.ToString());
        }
        var wrongAudience = await new JwtSvidValidator().ValidateAsync(File.ReadAllText(FileIn("billing.jwt")), _ca.Bundle, "records");
        Assert.NotEqual(JwtSvidError.None, wrongAudience.Error);
    }

    [Fact]
    public async Task Helper_RenewSignal_SentToConfiguredPid()
    {
        await RegisterSelfAsync();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var (helper, _) = Start(Options(o => { o.RenewSignal = "SIGTERM"; o.Pid = sleeper.Id; }));
            await helper.FirstWrite.WaitAsync(Patience);

            await sleeper.WaitForExitAsync(new CancellationTokenSource(Patience).Token);
            Assert.Equal(128 + 15, sleeper.ExitCode); // killed by SIGTERM
        }
        finally
        {
            if (!sleeper.HasExited)
                sleeper.Kill();
        }
    }

    [Fact]
    public async Task Helper_Cmd_RunOnEveryWrite_WithArgs()
    {
        await RegisterSelfAsync(TimeSpan.FromSeconds(2));
        var log = Path.Combine(_directory, "renewals.log");
        var (helper, _) = Start(Options(o => { o.Cmd = "/bin/sh"; o.CmdArgs = $"-c 'echo renewed >> {log}'"; }));

        await Eventually(() => helper.Updates >= 2, "a renewal");
        await Eventually(() => File.Exists(log) && File.ReadAllLines(log).Length >= 2, "the command to run twice");

        Assert.All(File.ReadAllLines(log), line => Assert.Equal("renewed", line));
    }

    [Fact]
    public async Task Helper_AgentDown_RetriesUntilItComes()
    {
        await _agent!.StopAsync(); // socket removed
        await RegisterSelfAsync();
        var (helper, _) = Start(Options());
        await Task.Delay(300);
        Assert.False(helper.IsReady);

        await using var agent = WorkloadApiHost.Create(Socket, _ca, _entries);
        await agent.StartAsync();
        await helper.FirstWrite.WaitAsync(Patience);

        Assert.True(File.Exists(FileIn("svid.pem")));
        var stopping = Stopwatch.StartNew();
        await agent.StopAsync(); // ends the helper's open stream instead of waiting out the shutdown timeout
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"agent took {stopping.Elapsed} to stop with a stream open");
    }
}
