namespace Gatehouse.Server.Tests.Storage;

/// <summary>The store tests against SQLite: a fresh database file in its own temp directory per test.</summary>
public sealed class SqliteStoreTests : StoreTests
{
    protected override string ExpectedProviderName => "Microsoft.EntityFrameworkCore.Sqlite";
    protected override string MigrationsNamespace => "Gatehouse.Server.Storage.Migrations.Sqlite";

    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(SqliteTestDatabase.Create());
}
