using System.Text.Json;
using Gatehouse.Protocol.Errors;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Http;
using Gatehouse.Server.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Token;

/// <summary>
/// Token introspection (RFC 7662), in three forms chosen by Accept: JSON (§2.2); the access token's paired JWT
/// (<c>application/jwt</c>, the phantom-token exchange: 204 when the token is not active); or a signed
/// introspection response (<c>application/token-introspection+jwt</c>, RFC 9701).
/// </summary>
public sealed class IntrospectionEndpoint(
    ClientAuthenticator authenticator, TokenInspector inspector, SigningKeyRing keys, GatehouseOptions options, TimeProvider time) : IEndpointHandler
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async Task HandleAsync(HttpContext context)
    {
        if (await authenticator.ReadAuthenticatedRequestAsync(context) is not (var form, var client))
            return;
        if (!client.Introspection)
        {
            await OAuthResponses.WriteErrorAsync(context, new OAuthError(OAuthErrorCodes.UnauthorizedClient, "The client may not introspect tokens.", 403));
            return;
        }
        var token = form["token"];
        if (token is null)
        {
            await OAuthResponses.WriteErrorAsync(context, OAuthError.InvalidRequest("The token parameter is missing."));
            return;
        }

        // token_type_hint is optional and only an optimisation (RFC 7662 §2.1); both token kinds are looked up anyway.
        var active = await inspector.InspectAsync(token, context.RequestAborted);
        var response = context.Response;
        if (active is null)
            OAuthResponses.NoStore(response);
        else
            // The answer may be reused until the token expires, never longer.
            response.Headers.CacheControl = $"max-age={Math.Max(0, active.ExpiresAt - time.GetUtcNow().ToUnixTimeSeconds())}";

        switch (IntrospectionFormats.Negotiate(context.Request))
        {
            case IntrospectionFormat.Jwt when active is null:
                response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case IntrospectionFormat.Jwt:
                response.ContentType = IntrospectionFormats.JwtMediaType;
                await response.WriteAsync(active!.Jwt, context.RequestAborted);
                break;
            case IntrospectionFormat.SignedIntrospection:
                response.ContentType = IntrospectionFormats.SignedMediaType;
                await response.WriteAsync(SignedResponse(client, active), context.RequestAborted);
                break;
            default:
                await OAuthResponses.WriteJsonAsync(response, w => WriteMembers(w, active));
                break;
        }
    }

    /// <summary>RFC 7662 §2.2: active plus the token's claims; an inactive token reveals nothing else.</summary>
    private static void WriteMembers(Utf8JsonWriter writer, ActiveToken? active)
    {
        writer.WriteBoolean("active", active is not null);
        if (active is null)
            return;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(active.Parsed.EncodedPayload));
        foreach (var claim in payload.RootElement.EnumerateObject())
            claim.WriteTo(writer);
        writer.WriteString("token_type", "Bearer");
    }

    /// <summary>RFC 9701 §5: iss, aud (the caller), iat and the token_introspection member, signed with the current key.</summary>
    private string SignedResponse(ClientDefinition caller, ActiveToken? active)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteMembers(writer, active);
            writer.WriteEndObject();
        }
        using var introspection = JsonDocument.Parse(buffer.WrittenMemory);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = caller.ClientId,
            IssuedAt = time.GetUtcNow().UtcDateTime,
            TokenType = "token-introspection+jwt",
            Claims = new Dictionary<string, object> { ["token_introspection"] = introspection.RootElement.Clone() },
            SigningCredentials = keys.Current,
        });
    }
}
