using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Storage;

/// <summary>
/// The store behaviour, run once per provider (<see cref="SqliteStoreTests"/>, <see cref="PostgresStoreTests"/>).
/// Every test gets its own empty database, built with <see cref="StorageServiceCollectionExtensions.AddGatehouseStorage"/>
/// and migrated with <see cref="GatehouseStorage.MigrateAsync"/>.
/// </summary>
public abstract partial class StoreTests : IAsyncLifetime
{
    protected const long Now = 1_800_000_000;
    protected static readonly CancellationToken Ct = CancellationToken.None;

    private ITestDatabase? _database;
    private ServiceProvider? _services;
    private IReadOnlyList<string> _pendingBeforeFirstMigrate = [];
    private IReadOnlyList<string> _appliedByFirstMigrate = [];
    private readonly ErrorLog _errors = new();
    private IReadOnlyList<string> _errorsOfFirstMigrate = [];

    /// <summary>Creates a fresh, empty database for one test; it is disposed (dropped) after the test.</summary>
    protected abstract Task<ITestDatabase> CreateDatabaseAsync();

    /// <summary>The EF provider the context must be using.</summary>
    protected abstract string ExpectedProviderName { get; }

    /// <summary>The namespace of this provider's own migrations.</summary>
    protected abstract string MigrationsNamespace { get; }

    protected IServiceProvider Services => _services ?? throw new InvalidOperationException("setup failed");
    protected AccessTokenStore Tokens => Services.GetRequiredService<AccessTokenStore>();
    protected SigningKeyStore Keys => Services.GetRequiredService<SigningKeyStore>();
    protected Task<int> DeleteExpiredAsync(long now, int batchSize) =>
        TokenCleanupService.DeleteExpiredAsync(Services.GetRequiredService<StoreWriter>(), now, batchSize, Ct);
    protected GatehouseDbContext NewContext() => Services.GetRequiredService<IDbContextFactory<GatehouseDbContext>>().CreateDbContext();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _services = new ServiceCollection().AddLogging(l => l.AddProvider(_errors)).AddGatehouseStorage(_database.Storage).BuildServiceProvider();
        _pendingBeforeFirstMigrate = await GatehouseStorage.PendingMigrationsAsync(_services, Ct);
        _appliedByFirstMigrate = await GatehouseStorage.MigrateAsync(_services, Ct);
        _errorsOfFirstMigrate = [.. _errors.Entries];
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_services is not null)
                await _services.DisposeAsync();
        }
        finally
        {
            if (_database is not null)
                await _database.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------- migrations

    [Fact]
    public async Task Migrate_EmptyDatabase_AppliesAllMigrations_SecondRunAppliesNothing()
    {
        await using var db = NewContext();
        var all = db.Database.GetMigrations().ToList();

        Assert.NotEmpty(all);
        Assert.Contains(all, m => m.EndsWith("_Initial", StringComparison.Ordinal));
        Assert.Equal(all, _pendingBeforeFirstMigrate);
        Assert.Equal(all, _appliedByFirstMigrate);
        // Not even the one EF logs on PostgreSQL when its history table does not exist yet.
        Assert.Empty(_errorsOfFirstMigrate);
        Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync(Ct));

        Assert.Empty(await GatehouseStorage.MigrateAsync(Services, Ct));
        Assert.Empty(await GatehouseStorage.PendingMigrationsAsync(Services, Ct));

        // The tables exist and are empty.
        Assert.Equal(0, await db.AccessTokens.CountAsync(Ct));
        Assert.Equal(0, await db.RevokedJwts.CountAsync(Ct));
        Assert.Equal(0, await db.SigningKeys.CountAsync(Ct));
    }

    [Fact]
    public async Task Context_UsesTheProvidersOwnMigrations()
    {
        await using var db = NewContext();
        Assert.Equal(ExpectedProviderName, db.Database.ProviderName);
        var migrations = db.GetService<IMigrationsAssembly>().Migrations;
        Assert.NotEmpty(migrations);
        Assert.All(migrations.Values, type => Assert.Equal(MigrationsNamespace, type.Namespace));
    }

    [Fact]
    public async Task Migrations_MatchTheModel_NoPendingModelChanges()
    {
        await using var db = NewContext();
        Assert.False(db.Database.HasPendingModelChanges(),
            $"the model of {db.GetType().Name} differs from its migrations snapshot: add a migration");
    }

    // ---------------------------------------------------------------- access tokens

    [Fact]
    public async Task AddToken_ThenFindByHash_ReturnsTheRecord()
    {
        var token = Token("client-a", expiresAt: Now + 900, subject: "alice");
        await Tokens.AddAsync(token, Ct);

        var found = await Tokens.FindByHashAsync(token.Hash, Ct);

        Assert.NotNull(found);
        Assert.Equal(token.Hash, found.Hash);
        Assert.Equal("client-a", found.ClientId);
        Assert.Equal("alice", found.Subject);
        Assert.Equal(token.Jwt, found.Jwt);
        Assert.Equal(Now, found.IssuedAt);
        Assert.Equal(Now + 900, found.ExpiresAt);
        Assert.Null(found.RevokedAt);
    }

    [Fact]
    public async Task AddToken_WithoutSubject_FindsNullSubject()
    {
        var token = Token("client-a", expiresAt: Now + 900);
        await Tokens.AddAsync(token, Ct);

        var found = await Tokens.FindByHashAsync(token.Hash, Ct);

        Assert.NotNull(found);
        Assert.Null(found.Subject);
    }

    [Fact]
    public async Task FindByHash_UnknownHash_ReturnsNull()
    {
        await Tokens.AddAsync(Token("client-a", expiresAt: Now + 900), Ct);
        Assert.Null(await Tokens.FindByHashAsync(NewHash(), Ct));
    }

    [Fact]
    public async Task AddToken_DuplicateHash_Throws()
    {
        var token = Token("client-a", expiresAt: Now + 900);
        await Tokens.AddAsync(token, Ct);

        var duplicate = Token("client-b", expiresAt: Now + 60);
        duplicate.Hash = token.Hash;
        await Assert.ThrowsAsync<DbUpdateException>(() => Tokens.AddAsync(duplicate, Ct));

        Assert.Equal("client-a", (await Tokens.FindByHashAsync(token.Hash, Ct))?.ClientId);
    }

    [Fact]
    public async Task AddToken_ConcurrentWithADuplicate_OnlyTheDuplicateFails()
    {
        // Concurrent inserts are committed together; one bad row must not take the others down with it.
        var existing = Token("client-a", expiresAt: Now + 900);
        await Tokens.AddAsync(existing, Ct);
        var fresh = Enumerable.Range(0, 40).Select(_ => Token("client-a", expiresAt: Now + 900)).ToList();
        var duplicate = Token("client-b", expiresAt: Now + 900);
        duplicate.Hash = existing.Hash;

        var adds = fresh.Select(t => Tokens.AddAsync(t, Ct)).Append(Tokens.AddAsync(duplicate, Ct)).ToList();
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => adds[^1]);
        await Task.WhenAll(adds.Take(fresh.Count));

        Assert.IsAssignableFrom<DbUpdateException>(failed);
        foreach (var token in fresh)
            Assert.NotNull(await Tokens.FindByHashAsync(token.Hash, Ct));
        Assert.Equal("client-a", (await Tokens.FindByHashAsync(existing.Hash, Ct))!.ClientId);
    }

    [Fact]
    public async Task IssuanceRevocationAndCleanup_QueuedTogether_EachKeepsItsResult_InQueueOrder()
    {
        // They share the writer's batches: a revocation queued right after its token's insert must find it, a refused
        // revocation or a cleanup in the same transaction must not disturb the others.
        var expired = Enumerable.Range(0, 5).Select(_ => Token("client-a", expiresAt: Now - 1)).ToList();
        foreach (var token in expired)
            await Tokens.AddAsync(token, Ct);
        var fresh = Enumerable.Range(0, 30).Select(_ => Token("client-a", expiresAt: Now + 900)).ToList();

        var adds = fresh.Select(t => Tokens.AddAsync(t, Ct)).ToList();
        var revocations = fresh.Take(10).Select(t => Tokens.RevokeAsync(t.Hash, "client-a", Now, Ct)).ToList();
        var otherClients = Tokens.RevokeAsync(fresh[20].Hash, "client-b", Now, Ct);
        var cleanup = DeleteExpiredAsync(Now, 100);

        await Task.WhenAll(adds);
        Assert.All(await Task.WhenAll(revocations), Assert.True);
        Assert.False(await otherClients);
        Assert.Equal(expired.Count, await cleanup);
        Assert.Equal(fresh.Select(t => t.Hash).Order(StringComparer.Ordinal), await TokenHashesAsync());
        foreach (var (token, i) in fresh.Select((t, i) => (t, i)))
            Assert.Equal(i < 10 ? Now : null, (await Tokens.FindByHashAsync(token.Hash, Ct))!.RevokedAt);
    }

    [Fact]
    public async Task Revoke_OwnToken_RevokesIt()
    {
        var token = Token("client-a", expiresAt: Now + 900);
        await Tokens.AddAsync(token, Ct);

        Assert.True(await Tokens.RevokeAsync(token.Hash, "client-a", Now + 10, Ct));

        Assert.Equal(Now + 10, (await Tokens.FindByHashAsync(token.Hash, Ct))?.RevokedAt);
    }

    [Fact]
    public async Task Revoke_OtherClientsToken_LeavesItActive()
    {
        var token = Token("client-a", expiresAt: Now + 900);
        await Tokens.AddAsync(token, Ct);

        Assert.False(await Tokens.RevokeAsync(token.Hash, "client-b", Now + 10, Ct));

        var found = await Tokens.FindByHashAsync(token.Hash, Ct);
        Assert.NotNull(found);
        Assert.Null(found.RevokedAt);
    }

    [Fact]
    public async Task Revoke_AlreadyRevokedToken_ReturnsFalse_KeepsFirstRevocationTime()
    {
        var token = Token("client-a", expiresAt: Now + 900);
        await Tokens.AddAsync(token, Ct);

        Assert.True(await Tokens.RevokeAsync(token.Hash, "client-a", Now + 10, Ct));
        Assert.False(await Tokens.RevokeAsync(token.Hash, "client-a", Now + 20, Ct));

        Assert.Equal(Now + 10, (await Tokens.FindByHashAsync(token.Hash, Ct))?.RevokedAt);
    }

    [Fact]
    public async Task Revoke_UnknownToken_ReturnsFalse()
    {
        await Tokens.AddAsync(Token("client-a", expiresAt: Now + 900), Ct);
        Assert.False(await Tokens.RevokeAsync(NewHash(), "client-a", Now, Ct));
    }

    [Fact]
    public async Task Revoke_OnlyTouchesTheGivenToken()
    {
        var first = Token("client-a", expiresAt: Now + 900);
        var second = Token("client-a", expiresAt: Now + 900);
        await Tokens.AddAsync(first, Ct);
        await Tokens.AddAsync(second, Ct);

        Assert.True(await Tokens.RevokeAsync(first.Hash, "client-a", Now, Ct));

        Assert.Null((await Tokens.FindByHashAsync(second.Hash, Ct))!.RevokedAt);
    }

    [Fact]
    public async Task DeleteExpired_DeletesOnlyExpiredRows_OldestFirst_InBatches()
    {
        // 25 expired tokens (the newest expires exactly now), 5 live ones; 12 expired revoked JWTs, 2 live ones.
        var expired = Enumerable.Range(0, 25).Select(i => Token("client-a", expiresAt: Now - 24 + i)).ToList();
        var live = Enumerable.Range(1, 5).Select(i => Token("client-a", expiresAt: Now + i)).ToList();
        var expiredJwts = Enumerable.Range(0, 12).Select(i => RevokedJwt($"expired-{i}", expiresAt: Now - 11 + i)).ToList();
        var liveJwts = Enumerable.Range(1, 2).Select(i => RevokedJwt($"live-{i}", expiresAt: Now + i)).ToList();
        await using (var db = NewContext())
        {
            // Shuffled, so that insertion order cannot stand in for expiry order.
            db.AccessTokens.AddRange(expired.Concat(live).OrderBy(t => t.Hash));
            db.RevokedJwts.AddRange(expiredJwts.Concat(liveJwts).OrderBy(r => r.Jti.GetHashCode()));
            await db.SaveChangesAsync(Ct);
        }

        Assert.Equal(10 + 10, await DeleteExpiredAsync(Now, 10));
        Assert.Equal(
            expired.Skip(10).Concat(live).Select(t => t.Hash).Order(StringComparer.Ordinal),
            await TokenHashesAsync());
        Assert.Equal(
            expiredJwts.Skip(10).Concat(liveJwts).Select(r => r.Jti).Order(StringComparer.Ordinal),
            await RevokedJtisAsync());

        Assert.Equal(10 + 2, await DeleteExpiredAsync(Now, 10));
        Assert.Equal(5 + 0, await DeleteExpiredAsync(Now, 10));
        Assert.Equal(0, await DeleteExpiredAsync(Now, 10));

        Assert.Equal(live.Select(t => t.Hash).Order(StringComparer.Ordinal), await TokenHashesAsync());
        Assert.Equal(liveJwts.Select(r => r.Jti).Order(StringComparer.Ordinal), await RevokedJtisAsync());
        foreach (var token in live)
            Assert.NotNull(await Tokens.FindByHashAsync(token.Hash, Ct));
        Assert.True(await Tokens.IsJwtRevokedAsync("live-1", Ct));
        Assert.False(await Tokens.IsJwtRevokedAsync("expired-11", Ct));
    }

    [Fact]
    public async Task DeleteExpired_NothingExpired_DeletesNothing()
    {
        await Tokens.AddAsync(Token("client-a", expiresAt: Now + 1), Ct);
        await Tokens.RevokeJwtAsync(RevokedJwt("jti-1", expiresAt: Now + 1), Ct);

        Assert.Equal(0, await DeleteExpiredAsync(Now, 10));

        Assert.Single(await TokenHashesAsync());
        Assert.True(await Tokens.IsJwtRevokedAsync("jti-1", Ct));
    }

    // ---------------------------------------------------------------- revoked JWTs

    [Fact]
    public async Task IsJwtRevoked_UnknownJti_ReturnsFalse()
    {
        await Tokens.RevokeJwtAsync(RevokedJwt("jti-1", expiresAt: Now + 900), Ct);
        Assert.False(await Tokens.IsJwtRevokedAsync("jti-2", Ct));
    }

    [Fact]
    public async Task RevokeJwt_Twice_IsIdempotent_AndReported()
    {
        Assert.False(await Tokens.IsJwtRevokedAsync("jti-1", Ct));

        await Tokens.RevokeJwtAsync(new RevokedJwtRecord { Jti = "jti-1", ClientId = "client-a", ExpiresAt = Now + 900, RevokedAt = Now }, Ct);
        await Tokens.RevokeJwtAsync(new RevokedJwtRecord { Jti = "jti-1", ClientId = "client-b", ExpiresAt = Now + 999, RevokedAt = Now + 5 }, Ct);

        Assert.True(await Tokens.IsJwtRevokedAsync("jti-1", Ct));
        await using var db = NewContext();
        var row = Assert.Single(await db.RevokedJwts.AsNoTracking().ToListAsync(Ct));
        Assert.Equal("jti-1", row.Jti);
        Assert.Equal("client-a", row.ClientId);       // the first revocation stands
        Assert.Equal(Now + 900, row.ExpiresAt);
        Assert.Equal(Now, row.RevokedAt);
    }

    [Fact]
    public async Task RevokeJwt_ConcurrentlyForTheSameJti_DoesNotThrow()
    {
        const int rounds = 5, writers = 8;
        for (var round = 0; round < rounds; round++)
        {
            var jti = $"jti-{round}";
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                await start.Task;
                await Tokens.RevokeJwtAsync(new RevokedJwtRecord { Jti = jti, ClientId = $"client-{w}", ExpiresAt = Now + 900, RevokedAt = Now }, Ct);
            })).ToList();
            start.SetResult();
            await Task.WhenAll(tasks);   // throws the first failure, if any

            Assert.True(await Tokens.IsJwtRevokedAsync(jti, Ct));
        }

        await using var db = NewContext();
        var rows = await db.RevokedJwts.AsNoTracking().ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, rounds).Select(r => $"jti-{r}"), rows.Select(r => r.Jti).Order(StringComparer.Ordinal));
    }

    // ---------------------------------------------------------------- signing keys

    [Fact]
    public async Task SigningKeys_AddThenList_OrderedByActivatesAt_AllFieldsKept()
    {
        var k2 = Key("k2", activatesAt: Now + 200);
        var k3 = Key("k3", activatesAt: Now + 300);
        var k1 = Key("k1", activatesAt: Now + 100);
        await Keys.AddAsync(k2, Ct);
        await Keys.AddAsync(k3, Ct);
        await Keys.AddAsync(k1, Ct);

        var listed = await Keys.ListAsync(Ct);

        Assert.Equal(["k1", "k2", "k3"], listed.Select(k => k.Kid));
        var first = listed[0];
        Assert.Equal("ES256", first.Algorithm);
        Assert.Equal(k1.ProtectedPrivateKey, first.ProtectedPrivateKey);
        Assert.Equal(k1.PublicJwk, first.PublicJwk);
        Assert.Equal(Now, first.CreatedAt);
        Assert.Equal(Now + 100, first.ActivatesAt);
        Assert.Equal(Now + 100 + 1000, first.RetiresAt);
        Assert.Equal(Now + 100 + 2000, first.ExpiresAt);
    }

    [Fact]
    public async Task SigningKeys_List_Empty_ReturnsEmpty()
    {
        Assert.Empty(await Keys.ListAsync(Ct));
    }

    [Fact]
    public async Task SigningKeys_Reschedule_ChangesOnlyThatKey()
    {
        await Keys.AddAsync(Key("k1", activatesAt: Now + 100), Ct);
        await Keys.AddAsync(Key("k2", activatesAt: Now + 200), Ct);

        // k1 moves after k2: the list order follows.
        await Keys.RescheduleAsync("k1", activatesAt: Now + 300, retiresAt: Now + 400, expiresAt: Now + 500, Ct);

        var listed = await Keys.ListAsync(Ct);
        Assert.Equal(["k2", "k1"], listed.Select(k => k.Kid));
        var k1 = listed[1];
        Assert.Equal((Now + 300, Now + 400, Now + 500), (k1.ActivatesAt, k1.RetiresAt, k1.ExpiresAt));
        Assert.Equal(Now, k1.CreatedAt);
        var k2 = listed[0];
        Assert.Equal((Now + 200, Now + 1200, Now + 2200), (k2.ActivatesAt, k2.RetiresAt, k2.ExpiresAt));
    }

    [Fact]
    public async Task SigningKeys_RescheduleUnknownKid_ChangesNothing()
    {
        await Keys.AddAsync(Key("k1", activatesAt: Now + 100), Ct);

        await Keys.RescheduleAsync("nope", Now, Now, Now, Ct);

        var k1 = Assert.Single(await Keys.ListAsync(Ct));
        Assert.Equal((Now + 100, Now + 1100, Now + 2100), (k1.ActivatesAt, k1.RetiresAt, k1.ExpiresAt));
    }

    [Fact]
    public async Task SigningKeys_DeleteExpired_DeletesOnlyExpiredKeys()
    {
        await Keys.AddAsync(Key("expired-before", activatesAt: Now - 2001), Ct);   // expires Now - 1
        await Keys.AddAsync(Key("expires-now", activatesAt: Now - 2000), Ct);      // expires Now
        await Keys.AddAsync(Key("live", activatesAt: Now - 1999), Ct);             // expires Now + 1
        await Keys.AddAsync(Key("next", activatesAt: Now + 100), Ct);

        Assert.Equal(2, await Keys.DeleteExpiredAsync(Now, Ct));
        Assert.Equal(["live", "next"], (await Keys.ListAsync(Ct)).Select(k => k.Kid));
        Assert.Equal(0, await Keys.DeleteExpiredAsync(Now, Ct));
    }

    // ---------------------------------------------------------------- helpers

    protected static string NewHash() => TokenHash.Sha256(Guid.NewGuid().ToString("N"));

    protected static AccessTokenRecord Token(string clientId, long expiresAt, string? subject = null) => new()
    {
        Hash = NewHash(),
        ClientId = clientId,
        Subject = subject,
        Jwt = $"eyJhbGciOiJFUzI1NiJ9.{Guid.NewGuid():N}.sig",
        IssuedAt = Now,
        ExpiresAt = expiresAt,
    };

    protected static RevokedJwtRecord RevokedJwt(string jti, long expiresAt) =>
        new() { Jti = jti, ClientId = "client-a", ExpiresAt = expiresAt, RevokedAt = Now - 100 };

    protected static SigningKeyRecord Key(string kid, long activatesAt) => new()
    {
        Kid = kid,
        Generation = activatesAt,
        Algorithm = "ES256",
        ProtectedPrivateKey = [1, 2, 3, 0, 255, (byte)kid.Length],
        PublicJwk = $$"""{"kty":"EC","crv":"P-256","kid":"{{kid}}"}""",
        CreatedAt = Now,
        ActivatesAt = activatesAt,
        RetiresAt = activatesAt + 1000,
        ExpiresAt = activatesAt + 2000,
    };

    private async Task<List<string>> TokenHashesAsync()
    {
        await using var db = NewContext();
        var hashes = await db.AccessTokens.Select(t => t.Hash).ToListAsync(Ct);
        return hashes.Order(StringComparer.Ordinal).ToList();
    }

    private async Task<List<string>> RevokedJtisAsync()
    {
        await using var db = NewContext();
        var jtis = await db.RevokedJwts.Select(r => r.Jti).ToListAsync(Ct);
        return jtis.Order(StringComparer.Ordinal).ToList();
    }
}
