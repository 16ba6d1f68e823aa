using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Api.Proto;
using Gatehouse.Workload.Federation;
using Gatehouse.Workload.Tests;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary><c>gatehouse workload agent --bundle-endpoint</c>: the real process serves its trust domain's bundle for federation.</summary>
public sealed class WorkloadAgentBundleEndpointTests
{
    private static readonly TrustDomain ExampleOrg = TrustDomain.Parse("example.org");

    [Fact]
    public async Task Agent_ServesItsBundle_OverHttpsSpiffe()
    {
        using var work = new TempDirectory();
        var socket = work.Combine("agent.sock");
        await File.WriteAllTextAsync(work.Combine("entries.json"),
            $$"""{ "entries": [ { "spiffe_id": "spiffe://example.org/test", "selectors": ["unix:uid:{{TestPki.CurrentUid()}}"] } ] }""");
        var port = FreePort.Next();
        await using var agent = GatehouseProcess.Start(["workload", "agent", "--socket", socket, "--trust-domain", "example.org",
            "--entries", work.Combine("entries.json"), "--bundle-endpoint", $"127.0.0.1:{port}"], work.Path);
        await agent.WaitForStdoutAsync("Bundle endpoint:", GatehouseProcess.DefaultStartTimeout);

        // The first time, the bundle that authenticates the endpoint comes out of band: here, as a workload of the domain.
        using var client = new WorkloadApiClient(socket);
        using var stream = client.Raw.FetchX509Bundles(new X509BundlesRequest(), WorkloadApiClient.Headers);
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        var held = new SpiffeBundle(ExampleOrg, WorkloadApiClient.ParseCertificates(stream.ResponseStream.Current.Bundles["spiffe://example.org"].Memory));

        var fetched = await BundleEndpointClient.FetchHttpsSpiffeAsync(new Uri($"https://127.0.0.1:{port}/"), ExampleOrg,
            SpiffeId.Parse("spiffe://example.org/bundle-endpoint"), held);

        Assert.Equal(held.X509Authorities.Select(c => c.Thumbprint), fetched.X509Authorities.Select(c => c.Thumbprint));
        Assert.NotEmpty(fetched.JwtAuthorities);
    }

    [Theory]
    [InlineData("--bundle-endpoint", "localhost:8443", "is not IP:PORT")]
    [InlineData("--bundle-endpoint-id", "spiffe://example.org/x", "needs --bundle-endpoint")]
    public async Task Agent_BadBundleEndpointOption_ConfigurationError(string option, string value, string message)
    {
        using var work = new TempDirectory();

        var result = await GatehouseProcess.RunAsync(["workload", "agent", "--socket", work.Combine("agent.sock"), "--trust-domain", "example.org", option, value]);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}, expected 2 (configuration error): {result.Description}");
        Assert.Contains(message, result.Stderr);
    }
}
