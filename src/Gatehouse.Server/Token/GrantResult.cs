using Gatehouse.Protocol.Errors;

namespace Gatehouse.Server.Token;

/// <summary>What a grant handler answers: tokens, or the error to send instead.</summary>
public readonly record struct GrantResult(TokenResponse? Tokens, OAuthError? Error)
{
    public static implicit operator GrantResult(TokenResponse tokens) => new(tokens, null);
    public static implicit operator GrantResult(OAuthError error) => new(null, error);
}
