using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.AspNetCore.Spiffe;

/// <summary>
/// Authenticates the caller as the SPIFFE ID of the X.509-SVID validated during this connection's TLS handshake
/// (<see cref="SpiffePeerFeature"/>). No feature — plain HTTP, or TLS set up without <c>UseSpiffeMtls</c> — means
/// no result, so a challenge answers 401.
/// </summary>
internal sealed class SpiffeAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Context.Features.Get<SpiffePeerFeature>() is not { } peer)
            return Task.FromResult(AuthenticateResult.NoResult());
        var identity = new ClaimsIdentity([new Claim(SpiffeClaimTypes.SpiffeId, peer.Id.ToString())], Scheme.Name, SpiffeClaimTypes.SpiffeId, null);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}

public static class SpiffeClaimTypes
{
    /// <summary>The caller's SPIFFE ID, from its X.509-SVID.</summary>
    public const string SpiffeId = "spiffe_id";
}
