using Gatehouse.AspNetCore.Errors;
using Gatehouse.AspNetCore.Jwks;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.AspNetCore.Validation;

/// <summary>
/// The Gatehouse steps around JwtBearer's own validation: make sure the token's key is known (rate-limited JWKS
/// refresh), check required claims, and write RFC 6750 challenges and 403s.
/// </summary>
internal sealed class GatehouseJwtBearerEvents(JwksKeyCache keys, IOptionsMonitor<GatehouseApiOptions> options) : JwtBearerEvents
{
    public override async Task MessageReceived(MessageReceivedContext context)
    {
        var token = BearerToken(context.Request.Headers.Authorization);
        if (string.IsNullOrEmpty(token))
            return;
        context.Token = token;
        // Refresh the JWKS for an unknown kid before JwtBearer looks for the key, so a rotated key works on its first token.
        if (TryReadKid(token) is { } kid)
            await keys.EnsureKeyAsync(kid, context.HttpContext.RequestAborted);
    }

    public override Task TokenValidated(TokenValidatedContext context)
    {
        foreach (var claim in options.CurrentValue.EffectiveRequiredClaims)
        {
            if (string.IsNullOrEmpty(context.Principal?.FindFirst(claim)?.Value))
            {
                context.Fail(new MissingClaimException(claim));
                break;
            }
        }
        return Task.CompletedTask;
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var presented = BearerToken(context.Request.Headers.Authorization) is not null;
        return presented || context.AuthenticateFailure is not null
            ? BearerResponses.WriteInvalidTokenAsync(context.Response, context.AuthenticateFailure)
            : BearerResponses.WriteMissingTokenAsync(context.Response);
    }

    public override Task Forbidden(ForbiddenContext context) => BearerResponses.WriteForbiddenAsync(context.Response);

    /// <summary>The credentials of an <c>Authorization: Bearer</c> header (RFC 6750 §2.1), "" when the scheme is there without one.</summary>
    internal static string? BearerToken(Microsoft.Extensions.Primitives.StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value)
            return null;
        const string scheme = "Bearer";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || (value.Length > scheme.Length && value[scheme.Length] != ' '))
            return null;
        return value[scheme.Length..].Trim();
    }

    private static string? TryReadKid(string token)
    {
        try
        {
            return new JsonWebToken(token).Kid is { Length: > 0 and <= 256 } kid ? kid : null;
        }
        catch (ArgumentException)
        {
            return null;  // malformed: JwtBearer rejects it with the precise reason
        }
    }
}
