using System.Security.Cryptography;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Server.Tests.Keys;

/// <summary>Replicas starting together on an empty store must end up signing with one and the same key.</summary>
public class ConcurrentKeyCreationTests
{
    [Fact]
    public async Task ReplicasStartingTogether_AgreeOnOneFirstKey()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-keys-").FullName;
        var options = new GatehouseOptions
        {
            Issuer = "https://login.test",
            Roles = "token",
            Storage = new StorageOptions { ConnectionString = $"Data Source={Path.Combine(directory, "keys.db")}" },
            Keys = new KeyOptions { EncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
        };
        var replicas = Enumerable.Range(0, 4).Select(_ =>
        {
            var services = new ServiceCollection();
            services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
            return services.AddGatehouseCore(options).BuildServiceProvider();
        }).ToList();
        try
        {
            await GatehouseStorage.MigrateAsync(replicas[0], CancellationToken.None);
            // Warm every replica's model and connection first, then release them all at once, so that they
            // really do read the empty store before any of them writes.
            foreach (var replica in replicas)
                await replica.GetRequiredService<SigningKeyStore>().ListAsync(CancellationToken.None);
            var start = new TaskCompletionSource();
            var refreshes = replicas.Select(r => Task.Run(async () =>
            {
                await start.Task;
                await r.GetRequiredService<KeyManager>().RefreshAsync(CancellationToken.None);
            })).ToList();
            start.SetResult();
            await Task.WhenAll(refreshes);

            var keys = await replicas[0].GetRequiredService<SigningKeyStore>().ListAsync(CancellationToken.None);
            var key = Assert.Single(keys);
            Assert.Equal(1, key.Generation);
            Assert.All(replicas, r => Assert.Equal(key.Kid, r.GetRequiredService<SigningKeyRing>().Current.Key.KeyId));
        }
        finally
        {
            foreach (var replica in replicas)
                await replica.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
