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
    public AuthenticationOptions Authentication { get; set; } = new();

    /// <summary>Clients keyed by client_id.</summary>
    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Scopes keyed by scope name, each with the claims it releases.</summary>
    public Dictionary<string, ScopeOptions> Scopes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Users keyed by username, created in the store at startup when missing (demo and bootstrap accounts).</summary>
    public Dictionary<string, UserSeedOptions> Users { get; set; } = new(StringComparer.Ordinal);

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>The workload CA (<c>gatehouse workload server</c>) and its registration entries.</summary>
    public WorkloadOptions Workload { get; set; } = new();
}

public sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses or CIDR networks of the proxies whose X-Forwarded-For/Proto are believed; none by default.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>SPIFFE workload identities served from the store: used by the <c>gatehouse workload</c> commands only.</summary>
public sealed class WorkloadOptions
{
    /// <summary>The trust domain, e.g. <c>example.org</c>; required by the workload commands, ignored by the others.</summary>
    public string TrustDomain { get; set; } = "";
    public TimeSpan RootTtl { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan IntermediateTtl { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan JwtKeyTtl { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Default SVID lifetimes; an entry's own TTLs override them.</summary>
    public TimeSpan X509SvidTtl { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan JwtSvidTtl { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Lifetime of an agent's own X.509-SVID; the agent renews it at half its life.</summary>
    public TimeSpan AgentSvidTtl { get; set; } = TimeSpan.FromHours(1);
    /// <summary>How long a join token from <c>gatehouse workload token create</c> can be redeemed.</summary>
    public TimeSpan JoinTokenTtl { get; set; } = TimeSpan.FromMinutes(10);
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

/// <summary>The authentication role: sign-in, sessions and the codes and refresh tokens that come from them.</summary>
public sealed class AuthenticationOptions
{
    /// <summary>How long a single sign-on session lasts after the user signed in.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
    /// <summary>Authorization codes are single-use and short-lived (RFC 6749 §4.1.2 recommends at most 10 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Lifetime of a request_uri from the pushed authorization request endpoint (RFC 9126 §2.2).</summary>
    public TimeSpan PushedRequestLifetime { get; set; } = TimeSpan.FromSeconds(90);
    /// <summary>Failed sign-ins in a row after which an account is locked for <see cref="LockoutDuration"/>.</summary>
    public int LockoutThreshold { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Password and one-time-code posts accepted per client address and minute; more are answered 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 30;
    /// <summary>PBKDF2-HMAC-SHA256 iterations for new password hashes; OWASP recommends 600000.</summary>
    public int PasswordHashIterations { get; set; } = 600_000;
}

/// <summary>A user to create at startup if no user with this username exists. Existing users are never changed.</summary>
public sealed class UserSeedOptions
{
    /// <summary>The password in plain text (development only); hashed when stored. Use PasswordHash in production.</summary>
    public string? Password { get; set; }
    /// <summary>A hash as printed by <c>gatehouse users hash-password</c>.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>The stable subject identifier; generated when empty.</summary>
    public string? Subject { get; set; }
    /// <summary>Attributes released as claims by scopes: name, email, department, hospital, …</summary>
    public Dictionary<string, string> Claims { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Released as the <c>roles</c> claim (an array).</summary>
    public string[] Roles { get; set; } = [];
}

public sealed class ClientOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Shown to users on the consent screen; the client_id when empty.</summary>
    public string? DisplayName { get; set; }
    /// <summary>
    /// A public client (RFC 6749 §2.1: a native app or SPA) has no secret and authenticates with its client_id alone
    /// (token_endpoint_auth_method "none"); it may only use the authorization_code and refresh_token grants.
    /// </summary>
    public bool Public { get; set; }
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
    /// <summary>Redirection endpoints for the authorization code flow, compared exactly (RFC 9700 §4.1.1).</summary>
    public string[] RedirectUris { get; set; } = [];
    /// <summary>Where RP-initiated logout may send the browser afterwards, compared exactly.</summary>
    public string[] PostLogoutRedirectUris { get; set; } = [];
    /// <summary>The authorization endpoint accepts this client's requests only through a pushed request (RFC 9126 §6).</summary>
    public bool RequirePushedAuthorizationRequests { get; set; }
    /// <summary>Ask the user before releasing scopes to this client; false for first-party apps.</summary>
    public bool RequireConsent { get; set; } = true;
    /// <summary>How long a refresh token may be used; each rotation starts a new period. Issued only with the refresh_token grant type.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(1);
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class ScopeOptions
{
    public string? Description { get; set; }
    /// <summary>Names of the claims this scope releases.</summary>
    public string[] Claims { get; set; } = [];
}
