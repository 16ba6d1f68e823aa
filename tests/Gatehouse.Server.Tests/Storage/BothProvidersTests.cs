using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Storage;

/// <summary>
/// One process may hold stores of both providers (this test assembly does, and so would a migration between stores):
/// the stores must not share state that is tied to one provider's model, such as a static compiled query.
/// </summary>
public sealed class BothProvidersTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task AccessTokenStore_SqliteAndPostgresInOneProcess_BothWork()
    {
        await using var sqlite = SqliteTestDatabase.Create();
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var sqliteServices = new ServiceCollection().AddGatehouseStorage(sqlite.Storage).BuildServiceProvider();
        await using var postgresServices = new ServiceCollection().AddGatehouseStorage(postgres.Storage).BuildServiceProvider();
        await GatehouseStorage.MigrateAsync(sqliteServices, Ct);
        await GatehouseStorage.MigrateAsync(postgresServices, Ct);

        // Alternate between the providers, so that whichever one a process-wide cache was bound to, the other one is used too.
        foreach (var services in new[] { sqliteServices, postgresServices, sqliteServices, postgresServices })
        {
            var store = services.GetRequiredService<AccessTokenStore>();
            var hash = TokenHash.Sha256(Guid.NewGuid().ToString("N"));
            var jti = Guid.NewGuid().ToString("N");
            await store.AddAsync(new AccessTokenRecord { Hash = hash, ClientId = "client-a", Jwt = "a.b.c", IssuedAt = 1, ExpiresAt = 2 }, Ct);

            Assert.Equal("client-a", (await store.FindByHashAsync(hash, Ct))?.ClientId);
            Assert.False(await store.IsJwtRevokedAsync(jti, Ct));
            await store.RevokeJwtAsync(new RevokedJwtRecord { Jti = jti, ClientId = "client-a", ExpiresAt = 2, RevokedAt = 1 }, Ct);
            Assert.True(await store.IsJwtRevokedAsync(jti, Ct));
        }
    }
}
