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
    public DbSet<UserRecord> Users => Set<UserRecord>();
    public DbSet<UserSessionRecord> UserSessions => Set<UserSessionRecord>();
    public DbSet<UserConsentRecord> UserConsents => Set<UserConsentRecord>();
    public DbSet<AuthorizationCodeRecord> AuthorizationCodes => Set<AuthorizationCodeRecord>();
    public DbSet<RefreshTokenRecord> RefreshTokens => Set<RefreshTokenRecord>();
    public DbSet<PushedAuthorizationRequestRecord> PushedAuthorizationRequests => Set<PushedAuthorizationRequestRecord>();
    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();
    public DbSet<WorkloadEntryRecord> WorkloadEntries => Set<WorkloadEntryRecord>();
    public DbSet<WorkloadCaRecord> WorkloadCas => Set<WorkloadCaRecord>();
    public DbSet<WorkloadAuthorityRecord> WorkloadAuthorities => Set<WorkloadAuthorityRecord>();
    public DbSet<WorkloadJoinTokenRecord> WorkloadJoinTokens => Set<WorkloadJoinTokenRecord>();

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
            e.Property(x => x.GrantId).HasColumnName("grant_id").HasMaxLength(43);
            e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_access_tokens_expires_at");
            e.HasIndex(x => x.GrantId).HasDatabaseName("ix_access_tokens_grant_id");
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
        MapUsers(model);
        MapGrants(model);
        MapWorkloads(model);
    }

    private static void MapUsers(ModelBuilder model)
    {
        model.Entity<UserRecord>(e =>
        {
            e.ToTable("users");
            e.HasKey(x => x.Subject);
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(200);
            e.Property(x => x.Username).HasColumnName("username").HasMaxLength(200);
            e.Property(x => x.NormalizedUsername).HasColumnName("normalized_username").HasMaxLength(200);
            e.HasIndex(x => x.NormalizedUsername).IsUnique().HasDatabaseName("ux_users_normalized_username");
            e.Property(x => x.PasswordHash).HasColumnName("password_hash").HasMaxLength(200);
            e.Property(x => x.Claims).HasColumnName("claims");
            e.Property(x => x.ProtectedTotpSecret).HasColumnName("protected_totp_secret");
            e.Property(x => x.LastTotpStep).HasColumnName("last_totp_step");
            e.Property(x => x.Enabled).HasColumnName("enabled");
            e.Property(x => x.FailedSignIns).HasColumnName("failed_sign_ins");
            e.Property(x => x.LockedUntil).HasColumnName("locked_until");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
        });
        model.Entity<UserSessionRecord>(e =>
        {
            e.ToTable("user_sessions");
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(43);
            e.Property(x => x.SessionId).HasColumnName("session_id").HasMaxLength(43);
            e.HasIndex(x => x.SessionId).IsUnique().HasDatabaseName("ux_user_sessions_session_id");
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(200);
            e.HasIndex(x => x.Subject).HasDatabaseName("ix_user_sessions_subject");
            e.Property(x => x.AuthTime).HasColumnName("auth_time");
            e.Property(x => x.Amr).HasColumnName("amr").HasMaxLength(100);
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_user_sessions_expires_at");
            e.Property(x => x.EndedAt).HasColumnName("ended_at");
        });
        model.Entity<DataProtectionKeyRecord>(e =>
        {
            e.ToTable("data_protection_keys");
            e.HasKey(x => x.FriendlyName);
            e.Property(x => x.FriendlyName).HasColumnName("friendly_name").HasMaxLength(200);
            e.Property(x => x.Xml).HasColumnName("xml");
        });
        model.Entity<UserConsentRecord>(e =>
        {
            e.ToTable("user_consents");
            e.HasKey(x => new { x.Subject, x.ClientId });
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(200);
            e.Property(x => x.ClientId).HasColumnName("client_id").HasMaxLength(200);
            e.Property(x => x.Scopes).HasColumnName("scopes");
            e.Property(x => x.GrantedAt).HasColumnName("granted_at");
        });
    }

    private static void MapGrants(ModelBuilder model)
    {
        model.Entity<AuthorizationCodeRecord>(e =>
        {
            e.ToTable("authorization_codes");
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(43);
            e.Property(x => x.ClientId).HasColumnName("client_id").HasMaxLength(200);
            e.Property(x => x.RedirectUri).HasColumnName("redirect_uri").HasMaxLength(2000);
            e.Property(x => x.CodeChallenge).HasColumnName("code_challenge").HasMaxLength(128);
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(200);
            e.Property(x => x.SessionId).HasColumnName("session_id").HasMaxLength(43);
            e.Property(x => x.Scope).HasColumnName("scope");
            e.Property(x => x.Nonce).HasColumnName("nonce");
            e.Property(x => x.AuthTime).HasColumnName("auth_time");
            e.Property(x => x.Amr).HasColumnName("amr").HasMaxLength(100);
            e.Property(x => x.GrantId).HasColumnName("grant_id").HasMaxLength(43);
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_authorization_codes_expires_at");
            e.Property(x => x.RedeemedAt).HasColumnName("redeemed_at");
        });
        model.Entity<RefreshTokenRecord>(e =>
        {
            e.ToTable("refresh_tokens");
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(43);
            e.Property(x => x.GrantId).HasColumnName("grant_id").HasMaxLength(43);
            e.HasIndex(x => x.GrantId).HasDatabaseName("ix_refresh_tokens_grant_id");
            e.Property(x => x.ClientId).HasColumnName("client_id").HasMaxLength(200);
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(200);
            e.Property(x => x.SessionId).HasColumnName("session_id").HasMaxLength(43);
            e.HasIndex(x => x.SessionId).HasDatabaseName("ix_refresh_tokens_session_id");
            e.Property(x => x.Scope).HasColumnName("scope");
            e.Property(x => x.AuthTime).HasColumnName("auth_time");
            e.Property(x => x.Amr).HasColumnName("amr").HasMaxLength(100);
            e.Property(x => x.IssuedAt).HasColumnName("issued_at");
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_refresh_tokens_expires_at");
            e.Property(x => x.RotatedAt).HasColumnName("rotated_at");
            e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
        });
        model.Entity<PushedAuthorizationRequestRecord>(e =>
        {
            e.ToTable("pushed_authorization_requests");
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(43);
            e.Property(x => x.ClientId).HasColumnName("client_id").HasMaxLength(200);
            e.Property(x => x.Parameters).HasColumnName("parameters");
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.HasIndex(x => x.ExpiresAt).HasDatabaseName("ix_pushed_authorization_requests_expires_at");
        });
    }

    private static void MapWorkloads(ModelBuilder model)
    {
        model.Entity<WorkloadEntryRecord>(e =>
        {
            e.ToTable("workload_entries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(200);
            e.Property(x => x.SpiffeId).HasColumnName("spiffe_id").HasMaxLength(2048);
            e.Property(x => x.Selectors).HasColumnName("selectors");
            e.Property(x => x.DnsNames).HasColumnName("dns_names");
            e.Property(x => x.X509SvidTtl).HasColumnName("x509_svid_ttl");
            e.Property(x => x.JwtSvidTtl).HasColumnName("jwt_svid_ttl");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
        });
        model.Entity<WorkloadCaRecord>(e =>
        {
            e.ToTable("workload_cas");
            e.HasKey(x => x.TrustDomain);
            e.Property(x => x.TrustDomain).HasColumnName("trust_domain").HasMaxLength(255);
            e.Property(x => x.Revision).HasColumnName("revision");
            e.Property(x => x.BundleSequence).HasColumnName("bundle_sequence");
        });
        model.Entity<WorkloadAuthorityRecord>(e =>
        {
            e.ToTable("workload_authorities");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
            e.Property(x => x.TrustDomain).HasColumnName("trust_domain").HasMaxLength(255);
            e.HasIndex(x => x.TrustDomain).HasDatabaseName("ix_workload_authorities_trust_domain");
            e.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(20);
            e.Property(x => x.State).HasColumnName("state").HasMaxLength(20);
            e.Property(x => x.PublicData).HasColumnName("public_data");
            e.Property(x => x.ProtectedPrivateKey).HasColumnName("protected_private_key");
            e.Property(x => x.NotBefore).HasColumnName("not_before");
            e.Property(x => x.NotAfter).HasColumnName("not_after");
        });
        model.Entity<WorkloadJoinTokenRecord>(e =>
        {
            e.ToTable("workload_join_tokens");
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(43);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(43);
            e.HasIndex(x => x.Id).IsUnique().HasDatabaseName("ux_workload_join_tokens_id");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.Property(x => x.UsedAt).HasColumnName("used_at");
        });
    }
}

public sealed class SqliteGatehouseDbContext(DbContextOptions<SqliteGatehouseDbContext> options) : GatehouseDbContext(options);

public sealed class PostgresGatehouseDbContext(DbContextOptions<PostgresGatehouseDbContext> options) : GatehouseDbContext(options);
