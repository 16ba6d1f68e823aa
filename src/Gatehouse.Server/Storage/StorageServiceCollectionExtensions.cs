using System.Data.Common;
using Gatehouse.Server.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers a pooled <see cref="GatehouseDbContext"/> factory for the configured provider.</summary>
    public static IServiceCollection AddGatehouseStorage(this IServiceCollection services, StorageOptions storage)
    {
        if (storage.Provider == "postgres")
        {
            services.AddPooledDbContextFactory<PostgresGatehouseDbContext>(o => o.UseNpgsql(storage.ConnectionString));
            services.AddSingleton<IDbContextFactory<GatehouseDbContext>>(sp =>
                new UpcastFactory<PostgresGatehouseDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresGatehouseDbContext>>()));
        }
        else
        {
            services.AddPooledDbContextFactory<SqliteGatehouseDbContext>(o => o
                .UseSqlite(storage.ConnectionString)
                .AddInterceptors(new SqlitePragmas()));
            services.AddSingleton<IDbContextFactory<GatehouseDbContext>>(sp =>
                new UpcastFactory<SqliteGatehouseDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteGatehouseDbContext>>()));
        }
        services.AddSingleton<AccessTokenStore>();
        services.AddSingleton<SigningKeyStore>();
        services.AddSingleton<WorkloadEntryStore>();
        services.AddSingleton<WorkloadCaStore>();
        services.AddSingleton<WorkloadJoinTokenStore>();
        return services;
    }

    /// <summary>Creates the directory of a SQLite database file so that a first run needs no manual step.</summary>
    public static void EnsureSqliteDirectory(StorageOptions storage)
    {
        if (storage.Provider != "sqlite")
            return;
        var dataSource = new SqliteConnectionStringBuilder(storage.ConnectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory) && dataSource != ":memory:")
            Directory.CreateDirectory(directory);
    }

    private sealed class UpcastFactory<T>(IDbContextFactory<T> inner) : IDbContextFactory<GatehouseDbContext>
        where T : GatehouseDbContext
    {
        public GatehouseDbContext CreateDbContext() => inner.CreateDbContext();
    }

    /// <summary>
    /// Per-connection settings, none of which does I/O: NORMAL sync is durable in WAL mode except for the last
    /// transactions on power loss; busy_timeout makes writers of other processes wait instead of failing; the journal
    /// size limit truncates the WAL after checkpoints. WAL itself is persistent and set once by migration
    /// (<see cref="SqliteMaintenance"/>).
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Sql = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA journal_size_limit=67108864;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Sql;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
