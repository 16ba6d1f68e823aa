using Gatehouse.Server.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gatehouse.Server.Tests.Storage;

/// <summary>A throw-away database for one test: created empty, removed on dispose.</summary>
public interface ITestDatabase : IAsyncDisposable
{
    StorageOptions Storage { get; }
}

/// <summary>A SQLite database file in its own temp directory.</summary>
public sealed class SqliteTestDatabase : ITestDatabase
{
    private readonly string _directory;

    private SqliteTestDatabase(string directory)
    {
        _directory = directory;
        Storage = new StorageOptions { Provider = "sqlite", ConnectionString = $"Data Source={Path.Combine(directory, "gatehouse.db")}" };
    }

    public StorageOptions Storage { get; }

    public static SqliteTestDatabase Create() => new(Directory.CreateTempSubdirectory("gatehouse-store-").FullName);

    public ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(Storage.ConnectionString))
            SqliteConnection.ClearPool(connection);
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A database <c>gatehouse_test_&lt;guid&gt;</c> on the PostgreSQL server named by <c>GATEHOUSE_TEST_POSTGRES</c>
/// (./test.sh starts one). Without the variable, creating one fails: a PostgreSQL store that was never tested must not look green.
/// </summary>
public sealed class PostgresTestDatabase : ITestDatabase
{
    public const string Variable = "GATEHOUSE_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _database;

    private PostgresTestDatabase(string server, string database)
    {
        _server = server;
        _database = database;
        Storage = new StorageOptions
        {
            Provider = "postgres",
            ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString,
        };
    }

    public StorageOptions Storage { get; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException(
                $"{Variable} is not set: run ./test.sh (it starts PostgreSQL) or set {Variable} " +
                "(e.g. \"Host=127.0.0.1;Port=5432;Username=postgres\", no Database: each test creates its own).");
        var database = $"gatehouse_test_{Guid.NewGuid():N}";
        await ExecuteOnMaintenanceDatabaseAsync(server, $"CREATE DATABASE \"{database}\"");
        return new PostgresTestDatabase(server, database);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnMaintenanceDatabaseAsync(_server, $"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
    }

    private static async Task ExecuteOnMaintenanceDatabaseAsync(string server, string sql)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
