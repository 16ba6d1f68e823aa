using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Pkce;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Http;
using Gatehouse.Server.Users;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Token;

/// <summary>
/// The authorization_code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6), as RFC 9700 §2.1.1 and §4.5 ask: the
/// code is single-use, short-lived and bound to the client, the redirect URI and the code challenge.
/// </summary>
public sealed class AuthorizationCodeGrant(
    AuthorizationCodeStore codes, UserStore users, UserTokenIssuer issuer, GrantRevoker revoker, TimeProvider time,
    ILogger<AuthorizationCodeGrant> logger)
{
    // One answer for every reason, so a caller holding a code learns nothing about which binding failed.
    private static readonly OAuthError Invalid = OAuthError.InvalidGrant(
        "The authorization code is invalid, expired or already used, or the client, redirect_uri or code_verifier does not match it.");

    public async Task<GrantResult> ExchangeAsync(ClientDefinition client, OAuthForm form, CancellationToken ct)
    {
        if (!client.GrantTypes.Contains(GrantTypes.AuthorizationCode))
            return OAuthError.UnauthorizedClient("The client may not use the authorization_code grant.");
        if (form["code"] is not { } code)
            return OAuthError.InvalidRequest("The code parameter is missing.");

        // The code is consumed before its bindings are checked: whoever presents it first uses it up (RFC 6749 §4.1.2).
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var (outcome, record) = await codes.RedeemAsync(TokenHash.Sha256(code), now, ct);
        if (outcome == CodeRedemption.Unknown)
            return Invalid;
        if (outcome == CodeRedemption.Replayed)
        {
            // RFC 6749 §4.1.2, RFC 9700 §4.5: a code used twice may have been stolen; recall what it yielded.
            // A replay arriving while the first redemption is still storing its tokens finds nothing to revoke yet;
            // the code row has no mark that redemption could check afterwards, unlike a rotated refresh token.
            logger.LogWarning("Authorization code replayed by client {ClientId}; revoking grant {GrantId}.", client.ClientId, record!.GrantId);
            await revoker.RevokeAsync(record.GrantId, CancellationToken.None);
            return Invalid;
        }

        var grantCode = record!;
        if (grantCode.ExpiresAt <= now
            || grantCode.ClientId != client.ClientId
            // RFC 6749 §4.1.3: identical to the authorization request's redirect_uri, compared exactly.
            || form["redirect_uri"] != grantCode.RedirectUri
            // RFC 7636 §4.6; a request without code_verifier is a PKCE downgrade (RFC 9700 §4.8.2) and fails here too.
            || !CodeVerifier.Matches(form["code_verifier"], grantCode.CodeChallenge))
            return Invalid;

        if (await users.FindBySubjectAsync(grantCode.Subject, ct) is not { Enabled: true } user)
            return Invalid;

        var scopes = grantCode.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return await issuer.IssueAsync(client, UserGrant.From(grantCode), user, scopes, grantCode.Scope, grantCode.Nonce, ct);
    }
}
