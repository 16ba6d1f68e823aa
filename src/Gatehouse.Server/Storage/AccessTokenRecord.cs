namespace Gatehouse.Server.Storage;

/// <summary>
/// An issued opaque access token. Only the SHA-256 of the token is kept, beside the JWT it stands for,
/// so introspection is one primary-key lookup and a leaked table reveals no usable token.
/// </summary>
public sealed class AccessTokenRecord : IExpiringRecord
{
    public required string Hash { get; set; }
    public required string ClientId { get; set; }
    public string? Subject { get; set; }
    public required string Jwt { get; set; }
    /// <summary>Unix seconds.</summary>
    public long IssuedAt { get; set; }
    /// <summary>Unix seconds.</summary>
    public long ExpiresAt { get; set; }
    /// <summary>Unix seconds; null while not revoked.</summary>
    public long? RevokedAt { get; set; }
    /// <summary>The user's grant it was issued from (<see cref="AuthorizationCodeRecord.GrantId"/>); null for client credentials.</summary>
    public string? GrantId { get; set; }
}

/// <summary>A revoked JWT access token, remembered by its jti until the token would have expired anyway.</summary>
public sealed class RevokedJwtRecord : IExpiringRecord
{
    public required string Jti { get; set; }
    public required string ClientId { get; set; }
    public long ExpiresAt { get; set; }
    public long RevokedAt { get; set; }
}

/// <summary>A signing key. The private key is encrypted at rest; times are Unix seconds.</summary>
public sealed class SigningKeyRecord
{
    public required string Kid { get; set; }
    /// <summary>
    /// 1 for the first key, then one more for each next key. Unique, so that replicas creating the same next key at
    /// the same moment cannot both succeed: the loser adopts the winner's key.
    /// </summary>
    public long Generation { get; set; }
    public required string Algorithm { get; set; }
    public required byte[] ProtectedPrivateKey { get; set; }
    public required string PublicJwk { get; set; }
    public long CreatedAt { get; set; }
    /// <summary>From here on the key signs; before it, it is only published.</summary>
    public long ActivatesAt { get; set; }
    /// <summary>From here on the key no longer signs, but still verifies.</summary>
    public long RetiresAt { get; set; }
    /// <summary>From here on no token it signed can still be valid; the key leaves the JWKS and the store.</summary>
    public long ExpiresAt { get; set; }
}
