using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Tests.Storage;

/// <summary>The store tests against SQLite: a fresh database file in its own temp directory per test.</summary>
public sealed class SqliteStoreTests : StoreTests
{
    protected override string ExpectedProviderName => "Microsoft.EntityFrameworkCore.Sqlite";
    protected override string MigrationsNamespace => "Gatehouse.Server.Storage.Migrations.Sqlite";

    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(SqliteTestDatabase.Create());

    [Fact]
    public async Task ConnectionSettings_HoldOnEveryOpen_IncludingConnectionsReusedFromThePool()
    {
        // They are applied once per native connection; a pooled connection opened again must still have them.
        for (var open = 0; open < 3; open++)
        {
            await using var db = NewContext();
            await db.Database.OpenConnectionAsync(Ct);
            Assert.Equal("1", await Pragma(db, "synchronous")); // NORMAL
            Assert.Equal("10000", await Pragma(db, "busy_timeout"));
            Assert.Equal("67108864", await Pragma(db, "journal_size_limit"));
            Assert.Equal("wal", await Pragma(db, "journal_mode"));
        }
    }

    private static async Task<string?> Pragma(DbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return Convert.ToString(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
