using System.Data.Common;
using System.Runtime.CompilerServices;
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
        services.AddSingleton<StoreWriter>();
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
    /// <remarks>
    /// The settings belong to the native connection, which the pool keeps open across many logical opens (one per
    /// request), so they are applied once per native handle: running them on every open cost each introspection an
    /// extra statement to parse and run.
    /// </remarks>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Sql = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA journal_size_limit=67108864;";
        private readonly ConditionalWeakTable<object, object> _configured = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (!FirstOpen(connection))
                return;
            using var command = connection.CreateCommand();
            command.CommandText = Sql;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (!FirstOpen(connection))
                return;
            await using var command = connection.CreateCommand();
            command.CommandText = Sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        private bool FirstOpen(DbConnection connection) =>
            connection is not SqliteConnection { Handle: { } handle } || _configured.TryAdd(handle, handle);
    }
}
