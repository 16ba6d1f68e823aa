using Gatehouse.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Storage;

// Workload identity tables: registration entries, the workload CA's authorities with optimistic concurrency, and
// single-use join tokens — each on both providers.
public abstract partial class StoreTests
{
    private WorkloadEntryStore WorkloadEntries => Services.GetRequiredService<WorkloadEntryStore>();
    private WorkloadCaStore WorkloadCas => Services.GetRequiredService<WorkloadCaStore>();
    private WorkloadJoinTokenStore JoinTokens => Services.GetRequiredService<WorkloadJoinTokenStore>();

    private static WorkloadEntryRecord Entry(string id, params string[] selectors) => new()
    {
        Id = id,
        SpiffeId = $"spiffe://example.org/{id}",
        Selectors = selectors,
        DnsNames = [$"{id}.local", $"{id}.internal"],
        X509SvidTtl = 600,
        CreatedAt = Now,
    };

    private static WorkloadAuthorityRecord Authority(string id, string kind, string state, string trustDomain = "example.org") => new()
    {
        Id = id,
        TrustDomain = trustDomain,
        Kind = kind,
        State = state,
        PublicData = [1, 2, 3],
        ProtectedPrivateKey = [4, 5, 6, 7],
        NotBefore = Now,
        NotAfter = Now + 3600,
    };

    [Fact]
    public async Task WorkloadEntries_AddFindListDelete_RoundTripEveryField()
    {
        Assert.True(await WorkloadEntries.TryAddAsync(Entry("web", "unix:uid:1000", "unix:path:/usr/bin/web"), Ct));
        Assert.True(await WorkloadEntries.TryAddAsync(Entry("api", "k8s:ns:prod"), Ct));

        var web = await WorkloadEntries.FindAsync("web", Ct);
        Assert.NotNull(web);
        Assert.Equal("spiffe://example.org/web", web.SpiffeId);
        Assert.Equal(["unix:uid:1000", "unix:path:/usr/bin/web"], web.Selectors);
        Assert.Equal(["web.local", "web.internal"], web.DnsNames);
        Assert.Equal(600, web.X509SvidTtl);
        Assert.Null(web.JwtSvidTtl);
        Assert.Equal(Now, web.CreatedAt);
        Assert.Equal(["api", "web"], (await WorkloadEntries.ListAsync(Ct)).Select(e => e.Id));

        Assert.True(await WorkloadEntries.DeleteAsync("web", Ct));
        Assert.False(await WorkloadEntries.DeleteAsync("web", Ct));
        Assert.Null(await WorkloadEntries.FindAsync("web", Ct));
        Assert.Equal(["api"], (await WorkloadEntries.ListAsync(Ct)).Select(e => e.Id));
    }

    [Fact]
    public async Task WorkloadEntries_SameIdTwice_IsRefused_AndTheFirstKept()
    {
        Assert.True(await WorkloadEntries.TryAddAsync(Entry("web", "unix:uid:1000"), Ct));
        Assert.False(await WorkloadEntries.TryAddAsync(Entry("web", "unix:uid:2000"), Ct));
        Assert.Equal(["unix:uid:1000"], (await WorkloadEntries.FindAsync("web", Ct))!.Selectors);
    }

    [Fact]
    public async Task WorkloadCa_FirstSave_ThenLoad_ReturnsRevisionSequenceAndAuthorities()
    {
        Assert.Null(await WorkloadCas.LoadAsync("example.org", Ct));
        Assert.Equal(0, await WorkloadCas.RevisionAsync("example.org", Ct));

        Assert.True(await WorkloadCas.TrySaveAsync("example.org", 0, 1,
            [Authority("root-1", "root", "active"), Authority("int-1", "intermediate", "active"), Authority("jwt-1", "jwt", "active")], Ct));

        var loaded = await WorkloadCas.LoadAsync("example.org", Ct);
        Assert.NotNull(loaded);
        Assert.Equal(1, loaded.Value.Ca.Revision);
        Assert.Equal(1, loaded.Value.Ca.BundleSequence);
        Assert.Equal(["int-1", "jwt-1", "root-1"], loaded.Value.Authorities.Select(a => a.Id).Order());
        var root = loaded.Value.Authorities.Single(a => a.Id == "root-1");
        Assert.Equal(("root", "active"), (root.Kind, root.State));
        Assert.Equal([1, 2, 3], root.PublicData);
        Assert.Equal([4, 5, 6, 7], root.ProtectedPrivateKey);
        Assert.Equal((Now, Now + 3600), (root.NotBefore, root.NotAfter));
        Assert.Null(await WorkloadCas.LoadAsync("other.org", Ct));
    }

    [Fact]
    public async Task WorkloadCa_SaveOnTopOfAnOldRevision_IsRefused_AndChangesNothing()
    {
        Assert.True(await WorkloadCas.TrySaveAsync("example.org", 0, 1, [Authority("root-1", "root", "active")], Ct));
        // A second server that also found nothing stored loses the race for the first save.
        Assert.False(await WorkloadCas.TrySaveAsync("example.org", 0, 1, [Authority("root-x", "root", "active")], Ct));

        Assert.True(await WorkloadCas.TrySaveAsync("example.org", 1, 2, [Authority("root-1", "root", "retired"), Authority("root-2", "root", "active")], Ct));
        Assert.False(await WorkloadCas.TrySaveAsync("example.org", 1, 2, [Authority("root-y", "root", "active")], Ct));

        var loaded = (await WorkloadCas.LoadAsync("example.org", Ct))!.Value;
        Assert.Equal((2L, 2L), (loaded.Ca.Revision, loaded.Ca.BundleSequence));
        Assert.Equal([("root-1", "retired"), ("root-2", "active")], loaded.Authorities.Select(a => (a.Id, a.State)).Order());
        Assert.Equal(2, await WorkloadCas.RevisionAsync("example.org", Ct));
    }

    [Fact]
    public async Task WorkloadCa_ConcurrentSavesOfTheSameRevision_ExactlyOneWins()
    {
        Assert.True(await WorkloadCas.TrySaveAsync("example.org", 0, 1, [Authority("root-1", "root", "active")], Ct));

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            WorkloadCas.TrySaveAsync("example.org", 1, 2, [Authority("root-1", "root", "retired"), Authority($"root-{i + 10}", "root", "active")], Ct)));

        Assert.Single(results, r => r);
        var loaded = (await WorkloadCas.LoadAsync("example.org", Ct))!.Value;
        Assert.Equal(2, loaded.Ca.Revision);
        Assert.Equal(2, loaded.Authorities.Count);
    }

    [Fact]
    public async Task WorkloadCa_AuthorityOfAnotherTrustDomain_IsRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            WorkloadCas.TrySaveAsync("example.org", 0, 1, [Authority("root-1", "root", "active", trustDomain: "other.org")], Ct));
        Assert.Null(await WorkloadCas.LoadAsync("example.org", Ct));
    }

    [Fact]
    public async Task JoinTokens_RedeemedOnce_ThenRefused()
    {
        await JoinTokens.AddAsync(new WorkloadJoinTokenRecord { Hash = NewHash(), Id = "unused", CreatedAt = Now, ExpiresAt = Now + 600 }, Ct);
        var hash = NewHash();
        await JoinTokens.AddAsync(new WorkloadJoinTokenRecord { Hash = hash, Id = "tok-1", CreatedAt = Now, ExpiresAt = Now + 600 }, Ct);

        Assert.Equal("tok-1", await JoinTokens.TryRedeemAsync(hash, Now + 1, Ct));
        Assert.Null(await JoinTokens.TryRedeemAsync(hash, Now + 2, Ct));
        Assert.Null(await JoinTokens.TryRedeemAsync(NewHash(), Now + 2, Ct));
    }

    [Fact]
    public async Task JoinTokens_Expired_IsRefused_AndDeletedByCleanup()
    {
        var hash = NewHash();
        await JoinTokens.AddAsync(new WorkloadJoinTokenRecord { Hash = hash, Id = "tok-1", CreatedAt = Now, ExpiresAt = Now + 600 }, Ct);
        await JoinTokens.AddAsync(new WorkloadJoinTokenRecord { Hash = NewHash(), Id = "tok-2", CreatedAt = Now, ExpiresAt = Now + 6000 }, Ct);

        Assert.Null(await JoinTokens.TryRedeemAsync(hash, Now + 600, Ct));
        Assert.Equal(1, await JoinTokens.DeleteExpiredAsync(Now + 600, Ct));
    }

    [Fact]
    public async Task JoinTokens_ConcurrentRedemptions_ExactlyOneSucceeds()
    {
        var hash = NewHash();
        await JoinTokens.AddAsync(new WorkloadJoinTokenRecord { Hash = hash, Id = "tok-1", CreatedAt = Now, ExpiresAt = Now + 600 }, Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => JoinTokens.TryRedeemAsync(hash, Now + 1, Ct)));

        Assert.Single(results, r => r == "tok-1");
        Assert.Equal(7, results.Count(r => r is null));
    }
}
