namespace Gatehouse.Server.Configuration;

/// <summary>The <c>Gatehouse</c> configuration section. Validated by <see cref="GatehouseOptionsValidator"/> before anything starts.</summary>
public sealed class GatehouseOptions
{
    public const string Section = "Gatehouse";

    /// <summary>The issuer identifier (RFC 8414 §2): an https URL without query or fragment; http only for loopback.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Comma-separated service roles this process serves: token, authentication, user-management, admin.</summary>
    public string Roles { get; set; } = "";

    public StorageOptions Storage { get; set; } = new();
    public KeyOptions Keys { get; set; } = new();
    public TokenEndpointOptions Endpoints { get; set; } = new();

    /// <summary>Clients keyed by client_id.</summary>
    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Scopes keyed by scope name, each with the claims it releases.</summary>
    public Dictionary<string, ScopeOptions> Scopes { get; set; } = new(StringComparer.Ordinal);
}

public sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";
    public string ConnectionString { get; set; } = "";
    /// <summary>How often expired tokens are deleted, in batches.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class KeyOptions
{
    /// <summary>ES256 (default), RS256 or PS256.</summary>
    public string Algorithm { get; set; } = "ES256";
    /// <summary>Base64 of 32 random bytes; encrypts private keys at rest (AES-256-GCM).</summary>
    public string EncryptionKey { get; set; } = "";
    /// <summary>How long a key signs before the next one takes over.</summary>
    public TimeSpan RotationPeriod { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How long a new key is published in the JWKS before it signs.</summary>
    public TimeSpan PublishAhead { get; set; } = TimeSpan.FromDays(1);
    /// <summary>How often each process reloads keys from the store and rotates when due.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Cache-Control max-age of the JWKS response.</summary>
    public TimeSpan JwksMaxAge { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class TokenEndpointOptions
{
    /// <summary>Largest accepted form body on the token, introspection and revocation endpoints.</summary>
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;
}

public sealed class ClientOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>The client secret in plain text (development only); hashed when loaded. Use SecretHash in production.</summary>
    public string? Secret { get; set; }
    /// <summary>base64url SHA-256 of the client secret, as printed by <c>gatehouse clients secret</c>.</summary>
    public string? SecretHash { get; set; }
    public string[] GrantTypes { get; set; } = [];
    public string[] Scopes { get; set; } = [];
    /// <summary><c>opaque</c> (default) or <c>jwt</c> (RFC 9068).</summary>
    public string AccessTokenFormat { get; set; } = "opaque";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>The <c>aud</c> of this client's access tokens: the API that accepts them.</summary>
    public string? Audience { get; set; }
    /// <summary>Claims about this client, released when a granted scope lists them.</summary>
    public Dictionary<string, string> Claims { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Renames released claims for this client's tokens; an empty target drops the claim.</summary>
    public Dictionary<string, string> ClaimMappings { get; set; } = new(StringComparer.Ordinal);
    /// <summary>May call the introspection endpoint (a gateway or an API).</summary>
    public bool Introspection { get; set; }
}

public sealed class ScopeOptions
{
    public string? Description { get; set; }
    /// <summary>Names of the claims this scope releases.</summary>
    public string[] Claims { get; set; } = [];
}
