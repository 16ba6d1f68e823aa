using System.Net.Http.Json;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Helper;
using Gatehouse.Workload.Tests;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>
/// <see cref="FileX509Source"/> over the SVID helper's files: an mTLS server fed only by files the helper renews,
/// and the half-written moment (new key, old certificate) that must not break the source.
/// </summary>
public sealed class FileX509SourceTests
{
    private static readonly SpiffeId Server = SpiffeId.Parse("spiffe://example.org/server");

    [Fact]
    public async Task HelperFiles_ServeMtls_AndRenewedFilesAreUsedWithoutRestart()
    {
        await using var agents = new WorkloadAgents();
        var serverAgent = await agents.StartAgentAsync("/server", TimeSpan.FromSeconds(4));
        var clientSource = await agents.StartAsync("/client");
        var certDir = agents.Directory("certs");
        using var stop = new CancellationTokenSource();
        var helper = new SvidHelper(new SvidHelperOptions { AgentAddress = "unix://" + serverAgent, CertDir = certDir });
        var helping = helper.RunAsync(stop.Token);
        await helper.FirstWrite.WaitAsync(TimeSpan.FromSeconds(60));
        var source = new FileX509Source(certDir);
        await using var api = await MtlsApi.StartAsync(source);

        var first = await CallAsync(api, clientSource);
        Assert.Equal(Server, source.Svid.Id);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (helper.Updates < 3)
            await Task.Delay(50, deadline.Token);
        var later = await CallAsync(api, clientSource);

        Assert.NotEqual(first.ServerSerial, later.ServerSerial);
        Assert.Equal(source.Svid.Certificate.SerialNumber, later.ServerSerial);
        await stop.CancelAsync();
        await helping;
    }

    [Fact]
    public void KeyNotMatchingCertificate_PreviousSvidKept_UntilBothMatch()
    {
        using var pki = new TestPki(start: DateTimeOffset.UtcNow);
        var directory = Directory.CreateTempSubdirectory("gatehouse-files-").FullName;
        try
        {
            using var first = pki.Ca.IssueX509Svid(pki.Id("/api"));
            using var second = pki.Ca.IssueX509Svid(pki.Id("/api"));
            Write(directory, first, pki);
            var source = new FileX509Source(directory);
            Assert.Equal(first.Leaf.SerialNumber, source.Svid.Certificate.SerialNumber);

            File.WriteAllText(Path.Combine(directory, "svid_key.pem"), second.PrivateKey.ExportPkcs8PrivateKeyPem()); // the helper writes the key first
            Assert.Equal(first.Leaf.SerialNumber, source.Svid.Certificate.SerialNumber);

            Write(directory, second, pki);
            Assert.Equal(second.Leaf.SerialNumber, source.Svid.Certificate.SerialNumber);
            Assert.True(source.Bundles.TryGet(pki.TrustDomain, out _));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Write(string directory, Gatehouse.Workload.X509.X509Svid svid, TestPki pki)
    {
        File.WriteAllText(Path.Combine(directory, "svid_key.pem"), svid.PrivateKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, "svid.pem"), string.Concat(svid.Certificates.Select(c => c.ExportCertificatePem() + "\n")));
        File.WriteAllText(Path.Combine(directory, "svid_bundle.pem"), pki.Ca.CurrentRoot.ExportCertificatePem());
    }

    private static async Task<MtlsApi.Seen> CallAsync(MtlsApi api, IX509Source clientSource)
    {
        using var client = new HttpClient(new SpiffeMtlsHttpHandler(clientSource, Server));
        return (await client.GetFromJsonAsync<MtlsApi.Seen>(new Uri(api.Url, "/whoami")))!;
    }
}
