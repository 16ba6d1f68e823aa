namespace Gatehouse.Server.Storage;

/// <summary>
/// An issued authorization code (RFC 6749 §4.1.2), stored by the SHA-256 of its value. It is bound to the client,
/// the redirect URI and the PKCE challenge, and remembers what the user authorized, so that the token endpoint needs
/// nothing else. Times are Unix seconds.
/// </summary>
public sealed class AuthorizationCodeRecord : IExpiringRecord
{
    public required string Hash { get; set; }
    public required string ClientId { get; set; }
    public required string RedirectUri { get; set; }
    /// <summary>The S256 code_challenge (RFC 7636 §4.2); plain is never accepted.</summary>
    public required string CodeChallenge { get; set; }
    public required string Subject { get; set; }
    public required string SessionId { get; set; }
    /// <summary>Space-separated granted scopes.</summary>
    public required string Scope { get; set; }
    public string? Nonce { get; set; }
    public long AuthTime { get; set; }
    public required string Amr { get; set; }
    /// <summary>
    /// Identifies everything issued from this code: the refresh-token family and the access tokens. A replayed code
    /// revokes them all (RFC 6749 §4.1.2, RFC 9700 §4.5).
    /// </summary>
    public required string GrantId { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
    /// <summary>Set by the first redemption; a second one finds it set.</summary>
    public long? RedeemedAt { get; set; }
}

/// <summary>
/// A refresh token, stored by the SHA-256 of its value. Each use rotates it: the used token is marked and a new one of
/// the same family is issued; using a rotated token again revokes the family (RFC 9700 §4.14.2).
/// </summary>
public sealed class RefreshTokenRecord : IExpiringRecord
{
    public required string Hash { get; set; }
    /// <summary>The grant this token belongs to (<see cref="AuthorizationCodeRecord.GrantId"/>).</summary>
    public required string GrantId { get; set; }
    public required string ClientId { get; set; }
    public required string Subject { get; set; }
    /// <summary>The SSO session it came from, so that logging out revokes it.</summary>
    public required string SessionId { get; set; }
    /// <summary>The scope of the grant; a refresh may ask for less, never more (RFC 6749 §6).</summary>
    public required string Scope { get; set; }
    public long AuthTime { get; set; }
    public required string Amr { get; set; }
    public long IssuedAt { get; set; }
    public long ExpiresAt { get; set; }
    public long? RotatedAt { get; set; }
    public long? RevokedAt { get; set; }
}

/// <summary>A pushed authorization request (RFC 9126): the validated parameters behind a request_uri.</summary>
public sealed class PushedAuthorizationRequestRecord : IExpiringRecord
{
    /// <summary>SHA-256 of the random part of the request_uri.</summary>
    public required string Hash { get; set; }
    public required string ClientId { get; set; }
    /// <summary>The authorization request parameters as a JSON object of name → value.</summary>
    public required string Parameters { get; set; }
    public long ExpiresAt { get; set; }
}
