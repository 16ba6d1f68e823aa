using Gatehouse.Gateway.Caching;
using Gatehouse.Gateway.Configuration;
using Gatehouse.Gateway.Introspection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Gateway.Authentication;

public readonly record struct Authorization(string? Jwt, GatewayError? Error)
{
    public bool Succeeded => Jwt is not null;
}

/// <summary>
/// The one pipeline both the proxy and the external-auth endpoint run: extract the bearer token → exchange it for its
/// JWT (cache, else introspection) → check the required scopes. Every step's refusal is a <see cref="GatewayError"/>.
/// </summary>
public sealed class TokenAuthorizer(PhantomTokenCache cache, GatewayOptions options, ILogger<TokenAuthorizer> logger)
{
    public async Task<Authorization> AuthorizeAsync(StringValues authorizationHeader, IReadOnlyList<string> requiredScopes, CancellationToken ct)
    {
        if (!BearerToken.TryExtract(authorizationHeader, options.MaxTokenLength, out var token, out var error))
            return Refuse(error!);

        CachedJwt entry;
        try
        {
            entry = await cache.GetAsync(token, ct);
        }
        catch (IntrospectionRejectedException e)
        {
            return Refuse(e.Result.Status switch
            {
                IntrospectionStatus.Inactive => GatewayError.InvalidToken("The access token is invalid, expired or revoked.", e.Result.Log),
                IntrospectionStatus.Unavailable => GatewayError.Unavailable(e.Result.Log),
                _ => GatewayError.BadGateway(e.Result.Log),
            });
        }

        // RFC 6750 §3.1 insufficient_scope; checked on every request, cached or not.
        foreach (var scope in requiredScopes)
        {
            if (Array.IndexOf(entry.Scopes, scope) < 0)
                return Refuse(GatewayError.InsufficientScope(requiredScopes));
        }
        return new Authorization(entry.Jwt, null);
    }

    private Authorization Refuse(GatewayError error)
    {
        logger.LogDebug("Refused with {Status} {Code}: {Reason}", error.Status, error.Code ?? "-", error.LogMessage);
        return new Authorization(null, error);
    }
}
