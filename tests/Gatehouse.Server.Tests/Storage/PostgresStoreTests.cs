namespace Gatehouse.Server.Tests.Storage;

/// <summary>
/// The store tests against a real PostgreSQL server named by <c>GATEHOUSE_TEST_POSTGRES</c> (./test.sh starts one);
/// every test creates its own database and drops it afterwards. Without the variable these tests fail.
/// </summary>
public sealed class PostgresStoreTests : StoreTests
{
    protected override string ExpectedProviderName => "Npgsql.EntityFrameworkCore.PostgreSQL";
    protected override string MigrationsNamespace => "Gatehouse.Server.Storage.Migrations.Postgres";

    protected override async Task<ITestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync();
}
