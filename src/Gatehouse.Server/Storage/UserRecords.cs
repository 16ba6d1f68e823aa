namespace Gatehouse.Server.Storage;

/// <summary>A person who signs in. Times are Unix seconds.</summary>
public sealed class UserRecord
{
    /// <summary>The stable, opaque <c>sub</c>: never reassigned, never derived from the username.</summary>
    public required string Subject { get; set; }
    public required string Username { get; set; }
    /// <summary>The username as compared: lower-case invariant, so "Alice" and "alice" are one account.</summary>
    public required string NormalizedUsername { get; set; }
    /// <summary>See <see cref="Users.PasswordHasher"/> for the format.</summary>
    public required string PasswordHash { get; set; }
    /// <summary>A JSON object of attribute name → string or array of strings, released as claims by scopes.</summary>
    public required string Claims { get; set; }
    /// <summary>The TOTP shared secret, encrypted at rest (AES-GCM with the subject as associated data); null until enrolled.</summary>
    public byte[]? ProtectedTotpSecret { get; set; }
    /// <summary>The last TOTP time step accepted, so a code cannot be used twice (RFC 6238 §5.2).</summary>
    public long? LastTotpStep { get; set; }
    public bool Enabled { get; set; } = true;
    public int FailedSignIns { get; set; }
    public long? LockedUntil { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A single sign-on session. The browser holds a random cookie value; the store keeps only its SHA-256.</summary>
public sealed class UserSessionRecord : IExpiringRecord
{
    public required string Hash { get; set; }
    /// <summary>The public session id (the ID token's <c>sid</c>); not a secret, unlike the cookie.</summary>
    public required string SessionId { get; set; }
    public required string Subject { get; set; }
    /// <summary>When the user last authenticated (the ID token's <c>auth_time</c>).</summary>
    public long AuthTime { get; set; }
    /// <summary>Space-separated authentication methods (RFC 8176): <c>pwd</c>, plus <c>otp</c> and <c>mfa</c> after TOTP.</summary>
    public required string Amr { get; set; }
    public long ExpiresAt { get; set; }
    public long? EndedAt { get; set; }
}

/// <summary>The scopes a user has allowed a client to receive, so the consent screen is not shown again for them.</summary>
public sealed class UserConsentRecord
{
    public required string Subject { get; set; }
    public required string ClientId { get; set; }
    /// <summary>Space-separated granted scopes.</summary>
    public required string Scopes { get; set; }
    public long GrantedAt { get; set; }
}

/// <summary>
/// An ASP.NET Core Data Protection key (it protects antiforgery tokens and the second-factor cookie), kept in the store
/// so that every replica of the authentication role accepts what another issued. The XML is encrypted at rest.
/// </summary>
public sealed class DataProtectionKeyRecord
{
    public required string FriendlyName { get; set; }
    public required string Xml { get; set; }
}
