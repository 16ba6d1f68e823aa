using System.Text.Json.Nodes;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary><c>gatehouse workload entry …</c> as an operator runs it: real processes on a migrated SQLite store, checked through the store.</summary>
public sealed class WorkloadEntryCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TestConfiguration _config;

    public WorkloadEntryCommandTests()
    {
        _config = TestConfiguration.Create(_directory.Path, port: 1);
        _config.Gatehouse["Workload"] = new JsonObject { ["TrustDomain"] = "example.org" };
        _config.Save();
    }

    public void Dispose() => _directory.Dispose();

    private async Task<CommandResult> RunAsync(params string[] args) => await GatehouseProcess.RunAsync([.. args, "--config", _config.Path]);

    private async Task MigrateAsync()
    {
        var migrate = await RunAsync("migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Description);
    }

    private async Task<IReadOnlyList<WorkloadEntryRecord>> StoredEntriesAsync()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(_config.Path).Build();
        await using var store = new ServiceCollection().AddLogging().AddGatehouseCore(GatehouseConfiguration.Load(configuration)).BuildServiceProvider();
        return await store.GetRequiredService<WorkloadEntryStore>().ListAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Add_ThenList_ShowsTheEntry_AsStored()
    {
        await MigrateAsync();

        var add = await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/api", "--selector", "unix:uid:1000",
            "--selector", "unix:path:/usr/bin/api", "--dns-name", "api.local", "--x509-svid-ttl", "600", "--id", "api");
        var list = await RunAsync("workload", "entry", "list");

        Assert.True(add.ExitCode == 0, add.Description);
        Assert.Contains("Added entry api: spiffe://example.org/api", add.Stdout);
        var stored = Assert.Single(await StoredEntriesAsync());
        Assert.Equal(("api", "spiffe://example.org/api"), (stored.Id, stored.SpiffeId));
        Assert.Equal(["unix:uid:1000", "unix:path:/usr/bin/api"], stored.Selectors);
        Assert.Equal(["api.local"], stored.DnsNames);
        Assert.Equal((600, (int?)null), (stored.X509SvidTtl, stored.JwtSvidTtl));
        Assert.True(list.ExitCode == 0, list.Description);
        Assert.Contains("SELECTORS", list.Stdout);
        var row = list.Stdout.Split('\n').Single(l => l.StartsWith("api ", StringComparison.Ordinal));
        Assert.Equal(["api", "spiffe://example.org/api", "unix:uid:1000,unix:path:/usr/bin/api", "api.local", "600", "-"],
            row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Add_WithoutId_UsesTheSpiffeId()
    {
        await MigrateAsync();

        var add = await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/web", "--selector", "k8s:ns:prod");

        Assert.True(add.ExitCode == 0, add.Description);
        Assert.Equal("spiffe://example.org/web", Assert.Single(await StoredEntriesAsync()).Id);
    }

    [Fact]
    public async Task Add_DuplicateIdOrSameIdentityForSameSelectors_Exits1AndKeepsTheFirst()
    {
        await MigrateAsync();
        Assert.Equal(0, (await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/api", "--selector", "unix:uid:1000", "--id", "api")).ExitCode);

        var sameId = await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/web", "--selector", "unix:uid:2000", "--id", "api");
        var sameIdentity = await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/api", "--selector", "unix:uid:1000", "--id", "api-2");

        Assert.Equal(1, sameId.ExitCode);
        Assert.Contains("An entry with id 'api' already exists", sameId.Stderr);
        Assert.Equal(1, sameIdentity.ExitCode);
        Assert.Contains("Entry 'api' already gives spiffe://example.org/api to these selectors", sameIdentity.Stderr);
        Assert.DoesNotContain("Exception", sameId.Stderr + sameIdentity.Stderr);
        Assert.Equal(["unix:uid:1000"], Assert.Single(await StoredEntriesAsync()).Selectors);
    }

    [Theory]
    [InlineData("spiffe://other.org/api", "unix:uid:1000", "is outside the trust domain example.org (Gatehouse:Workload:TrustDomain)")]
    [InlineData("spiffe://example.org", "unix:uid:1000", "is not a workload SPIFFE ID (it needs a path)")]
    [InlineData("https://example.org/api", "unix:uid:1000", "is not a workload SPIFFE ID (WrongScheme)")]
    [InlineData("spiffe://example.org/api", "unix:uid:alice", "--selector 'unix:uid:alice': uid/gid must be a decimal number.")]
    [InlineData("spiffe://example.org/api", "docker:label:x", "--selector 'docker:label:x': unknown selector 'docker:label'.")]
    public async Task Add_InvalidInput_Exits1WithTheReason_AndStoresNothing(string spiffeId, string selector, string message)
    {
        await MigrateAsync();

        var add = await RunAsync("workload", "entry", "add", "--spiffe-id", spiffeId, "--selector", selector);

        Assert.Equal(1, add.ExitCode);
        Assert.Contains(message, add.Stderr);
        Assert.Empty(await StoredEntriesAsync());
    }

    [Fact]
    public async Task Remove_KnownId_RemovesIt_UnknownId_Exits1()
    {
        await MigrateAsync();
        Assert.Equal(0, (await RunAsync("workload", "entry", "add", "--spiffe-id", "spiffe://example.org/api", "--selector", "unix:uid:1000", "--id", "api")).ExitCode);

        var remove = await RunAsync("workload", "entry", "remove", "api");
        var again = await RunAsync("workload", "entry", "remove", "api");

        Assert.True(remove.ExitCode == 0, remove.Description);
        Assert.Contains("Removed entry api.", remove.Stdout);
        Assert.Empty(await StoredEntriesAsync());
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("No entry with id 'api'", again.Stderr);
    }

    [Theory]
    [InlineData(null, "Gatehouse:Workload:TrustDomain = (not set): No trust domain is set")]
    [InlineData("Example.org:8443", "Gatehouse:Workload:TrustDomain = 'Example.org:8443': Not a trust domain name")]
    public async Task MissingOrInvalidTrustDomain_Exits2NamingTheKey(string? trustDomain, string message)
    {
        _config.Gatehouse["Workload"] = trustDomain is null ? new JsonObject() : new JsonObject { ["TrustDomain"] = trustDomain };
        _config.Save();

        var list = await RunAsync("workload", "entry", "list");

        Assert.Equal(2, list.ExitCode);
        Assert.Contains(message, list.Stderr);
    }
}
