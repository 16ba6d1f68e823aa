using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Api.Proto;
using Gatehouse.Workload.Tests;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary>
/// <c>gatehouse workload agent --federate-with</c>: other.org's real agent polls example.org's real agent's bundle
/// endpoint and hands example.org's bundle to its workloads next to its own.
/// </summary>
public sealed class WorkloadAgentFederationTests
{
    private static readonly TrustDomain ExampleOrg = TrustDomain.Parse("example.org");

    [Fact]
    public async Task Agent_FederatesWithAnotherAgent_WorkloadsGetBothBundles()
    {
        using var work = new TempDirectory();
        var entry = $$"""{ "entries": [ { "spiffe_id": "spiffe://TD/test", "selectors": ["unix:uid:{{TestPki.CurrentUid()}}"] } ] }""";
        await File.WriteAllTextAsync(work.Combine("example.json"), entry.Replace("TD", "example.org"));
        await File.WriteAllTextAsync(work.Combine("other.json"), entry.Replace("TD", "other.org"));
        var port = FreePort.Next();
        await using var example = GatehouseProcess.Start(["workload", "agent", "--socket", work.Combine("example.sock"), "--trust-domain", "example.org",
            "--entries", work.Combine("example.json"), "--bundle-endpoint", $"127.0.0.1:{port}"], work.Path);
        await example.WaitForStdoutAsync("Bundle endpoint:", GatehouseProcess.DefaultStartTimeout);
        var exampleX509 = await FirstAsync(work.Combine("example.sock"), c => c.Raw.FetchX509Bundles(new X509BundlesRequest(), WorkloadApiClient.Headers).ResponseStream);
        var exampleJwt = await FirstAsync(work.Combine("example.sock"), c => c.Raw.FetchJWTBundles(new JWTBundlesRequest(), WorkloadApiClient.Headers).ResponseStream);
        // Out of band, once: example.org's bundle, which authenticates its bundle endpoint (https_spiffe).
        var roots = WorkloadApiClient.ParseCertificates(exampleX509.Bundles["spiffe://example.org"].Memory);
        await File.WriteAllTextAsync(work.Combine("example-bundle.json"), new SpiffeBundle(ExampleOrg, roots).ToJson());

        await using var other = GatehouseProcess.Start(["workload", "agent", "--socket", work.Combine("other.sock"), "--trust-domain", "other.org",
            "--entries", work.Combine("other.json"),
            "--federate-with", $"example.org=https://127.0.0.1:{port}/,spiffe://example.org/bundle-endpoint,{work.Combine("example-bundle.json")}"], work.Path);
        await other.WaitForStdoutAsync("Federating with example.org", GatehouseProcess.DefaultStartTimeout);

        // The first poll happens at start; the stream sends again when it lands, so wait for a message that has it.
        using var client = new WorkloadApiClient(work.Combine("other.sock"));
        using var timeout = new CancellationTokenSource(GatehouseProcess.DefaultStartTimeout);
        using var stream = client.Raw.FetchX509Bundles(new X509BundlesRequest(), WorkloadApiClient.Headers, cancellationToken: timeout.Token);
        X509BundlesResponse response;
        do
        {
            Assert.True(await stream.ResponseStream.MoveNext(timeout.Token), other.Describe());
            response = stream.ResponseStream.Current;
        }
        while (!response.Bundles.ContainsKey("spiffe://example.org"));

        Assert.Equal(["spiffe://example.org", "spiffe://other.org"], response.Bundles.Keys.Order());
        Assert.Equal(roots.Select(c => c.Thumbprint), WorkloadApiClient.ParseCertificates(response.Bundles["spiffe://example.org"].Memory).Select(c => c.Thumbprint));
        var jwt = await FirstAsync(work.Combine("other.sock"), c => c.Raw.FetchJWTBundles(new JWTBundlesRequest(), WorkloadApiClient.Headers).ResponseStream);
        Assert.Equal(SpiffeBundle.Parse(ExampleOrg, exampleJwt.Bundles["spiffe://example.org"].ToStringUtf8()).JwtAuthorities.Keys.Order(),
            SpiffeBundle.Parse(ExampleOrg, jwt.Bundles["spiffe://example.org"].ToStringUtf8()).JwtAuthorities.Keys.Order());
    }

    private static async Task<T> FirstAsync<T>(string socket, Func<WorkloadApiClient, Grpc.Core.IAsyncStreamReader<T>> open)
    {
        using var client = new WorkloadApiClient(socket);
        var stream = open(client);
        Assert.True(await stream.MoveNext(CancellationToken.None));
        return stream.Current;
    }

    [Theory]
    [InlineData("example.org", "is not TD=URL")]
    [InlineData("not a domain=https://127.0.0.1:8443/", "is not a trust domain name")]
    [InlineData("other.org=https://127.0.0.1:8443/", "this agent's own trust domain")]
    [InlineData("example.org=http://127.0.0.1:8443/", "must be https")]
    [InlineData("example.org=https://127.0.0.1:8443/,spiffe://example.org/be", "is not TD=URL")]
    [InlineData("example.org=https://127.0.0.1:8443/,spiffe://other.org/be,/etc/hostname", "must be the endpoint's SPIFFE ID in example.org")]
    [InlineData("example.org=https://127.0.0.1:8443/,spiffe://example.org/be,/nonexistent.json", "cannot read example.org's bundle")]
    [InlineData("example.org=https://127.0.0.1:8443/,spiffe://example.org/be,/etc/hostname", "cannot read example.org's bundle")]
    public async Task Agent_BadFederateWith_ConfigurationError(string value, string message)
    {
        using var work = new TempDirectory();

        var result = await GatehouseProcess.RunAsync(["workload", "agent", "--socket", work.Combine("agent.sock"), "--trust-domain", "other.org", "--federate-with", value]);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}, expected 2 (configuration error): {result.Description}");
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public async Task Agent_SameTrustDomainTwice_ConfigurationError()
    {
        using var work = new TempDirectory();

        var result = await GatehouseProcess.RunAsync(["workload", "agent", "--socket", work.Combine("agent.sock"), "--trust-domain", "other.org",
            "--federate-with", "example.org=https://a.example/", "--federate-with", "example.org=https://b.example/"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("names example.org twice", result.Stderr);
    }
}
