using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

/// <summary>
/// The store. Each provider has a subclass only so that it can carry its own migrations
/// (<see cref="SqliteGatehouseDbContext"/>, <see cref="PostgresGatehouseDbContext"/>); the model is shared.
/// </summary>
public abstract class GatehouseDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<AccessTokenRecord> AccessTokens => Set<AccessTokenRecord>();
    public DbSet<RevokedJwtRecord> RevokedJwts => Set<RevokedJwtRecord>();
    public DbSet<SigningKeyRecord> SigningKeys => Set<SigningKeyRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<AccessTokenRecord>(e =>
        {
            e.ToTable("access_tokens");
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(43);
            e.Property(x => x.ClientId).HasColumnName("client_id").HasMaxLength(200);
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(200);
            e.Property(x => x.Jwt).HasColumnName("jwt");
            e.Property(x => x.IssuedAt).HasColumnName("issued_at");
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
            e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_access_tokens_expires_at");
        });
        model.Entity<RevokedJwtRecord>(e =>
        {
            e.ToTable("revoked_jwts");
            e.HasKey(x => x.Jti);
            e.Property(x => x.Jti).HasColumnName("jti").HasMaxLength(64);
            e.Property(x => x.ClientId).HasColumnName("client_id").HasMaxLength(200);
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
            e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_revoked_jwts_expires_at");
        });
        model.Entity<SigningKeyRecord>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(x => x.Kid);
            e.Property(x => x.Kid).HasColumnName("kid").HasMaxLength(64);
            e.Property(x => x.Generation).HasColumnName("generation");
            e.HasIndex(x => x.Generation).IsUnique().HasDatabaseName("ux_signing_keys_generation");
            e.Property(x => x.Algorithm).HasColumnName("algorithm").HasMaxLength(10);
            e.Property(x => x.ProtectedPrivateKey).HasColumnName("protected_private_key");
            e.Property(x => x.PublicJwk).HasColumnName("public_jwk");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.ActivatesAt).HasColumnName("activates_at");
            e.Property(x => x.RetiresAt).HasColumnName("retires_at");
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
        });
    }
}

public sealed class SqliteGatehouseDbContext(DbContextOptions<SqliteGatehouseDbContext> options) : GatehouseDbContext(options);

public sealed class PostgresGatehouseDbContext(DbContextOptions<PostgresGatehouseDbContext> options) : GatehouseDbContext(options);
