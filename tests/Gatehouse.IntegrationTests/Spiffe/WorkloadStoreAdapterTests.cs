using System.Security.Cryptography;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Workload;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary>The workload CA and registration entries in a real (SQLite) Gatehouse store, through the executable's adapters.</summary>
public sealed class WorkloadStoreAdapterTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TrustDomain Td = TrustDomain.Parse("example.org");
    private readonly TempDirectory _directory = new();
    private readonly KeyProtector _protector = new(RandomNumberGenerator.GetBytes(32));
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddGatehouseStorage(new StorageOptions { Provider = "sqlite", ConnectionString = $"Data Source={_directory.Combine("gatehouse.db")}" })
            .BuildServiceProvider();
        await GatehouseStorage.MigrateAsync(_services, Ct);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private StoredWorkloadCaState CaState(KeyProtector? protector = null) => new(_services.GetRequiredService<WorkloadCaStore>(), protector ?? _protector);

    private Task<WorkloadCaManager> OpenAsync(KeyProtector? protector = null) =>
        WorkloadCaManager.OpenAsync(new WorkloadCaOptions { TrustDomain = Td }, TimeProvider.System, CaState(protector), Ct);

    [Fact]
    public async Task TwoServersAndARestart_ShareOneCa_SvidsVerifyAgainstEachBundle()
    {
        using var a = await OpenAsync();
        using var b = await OpenAsync();
        using var svid = a.IssueX509Svid(SpiffeId.Parse("spiffe://example.org/api"));

        Assert.True(new X509SvidValidator().Validate(svid.Certificates, b.Bundle).IsValid);
        Assert.Equal(a.CurrentRoot.Thumbprint, b.CurrentRoot.Thumbprint);
        Assert.Equal(a.CurrentJwtKeyId, b.CurrentJwtKeyId);
        a.Dispose();
        using var restarted = await OpenAsync();
        Assert.Equal(b.Bundle.ToJson(), restarted.Bundle.ToJson());
        Assert.True(new X509SvidValidator().Validate(svid.Certificates, restarted.Bundle).IsValid);
    }

    [Fact]
    public async Task PrivateKeys_AreEncryptedAtRest_AndNeedTheEncryptionKey()
    {
        using var ca = await OpenAsync();
        var plain = await CaState().LoadAsync(Td, Ct);

        await using var db = _services.GetRequiredService<IDbContextFactory<GatehouseDbContext>>().CreateDbContext();
        var rows = await db.WorkloadAuthorities.ToListAsync(Ct);
        Assert.Equal(["intermediate", "jwt", "root"], rows.Select(r => r.Kind).Order());
        Assert.All(rows, r => Assert.Equal("active", r.State));
        foreach (var authority in plain!.Authorities)
        {
            var row = rows.Single(r => r.Id == authority.Id);
            Assert.False(row.ProtectedPrivateKey.AsSpan().IndexOf(authority.PrivateKey.AsSpan(^32..)) >= 0, "the private key is stored in clear");
        }
        await Assert.ThrowsAnyAsync<CryptographicException>(() => OpenAsync(new KeyProtector(RandomNumberGenerator.GetBytes(32))));
    }

    [Fact]
    public async Task Entries_RoundTrip_AndMatchBySelectors()
    {
        var entries = new StoredRegistrationEntries(_services.GetRequiredService<WorkloadEntryStore>(), TimeProvider.System);
        var api = new RegistrationEntry("api", SpiffeId.Parse("spiffe://example.org/api"), [Selector.Parse("unix:uid:1000"), Selector.Parse("unix:gid:50")],
            ["api.local"], TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2));
        Assert.True(await entries.CreateAsync(api, Ct));
        Assert.False(await entries.CreateAsync(api, Ct));

        var found = await entries.FindAsync("api", Ct);
        Assert.Equal(api.SpiffeId, found!.SpiffeId);
        Assert.Equal(api.Selectors, found.Selectors);
        Assert.Equal(["api.local"], found.DnsNames);
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2)), (found.X509SvidTtl!.Value, found.JwtSvidTtl!.Value));
        Assert.Single(await entries.MatchAsync([Selector.Parse("unix:uid:1000"), Selector.Parse("unix:gid:50"), Selector.Parse("unix:path:/bin/x")], Ct));
        Assert.Empty(await entries.MatchAsync([Selector.Parse("unix:uid:1000")], Ct));
        Assert.True(await entries.DeleteAsync("api", Ct));
        Assert.Empty(await entries.ListAsync(Ct));
    }
}
