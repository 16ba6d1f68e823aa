using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Gatehouse.Server.Storage;

// Used only by 'dotnet ef migrations add' (see docs/development.md); the connection strings are never opened.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteGatehouseDbContext>
{
    public SqliteGatehouseDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteGatehouseDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresGatehouseDbContext>
{
    public PostgresGatehouseDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresGatehouseDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
