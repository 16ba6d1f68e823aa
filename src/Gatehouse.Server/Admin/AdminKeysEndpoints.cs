using System.Text.Json;
using Gatehouse.Server.Http;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Admin;

/// <summary>Admin role: the signing keys and their state, and rotation on demand. Requires scope gatehouse.admin.</summary>
public sealed class AdminKeysListEndpoint(BearerTokenAuthorizer authorizer, KeyManager keys, TimeProvider time) : IEndpointHandler
{
    public const string Scope = "gatehouse.admin";

    public async Task HandleAsync(HttpContext context)
    {
        if (await authorizer.AuthorizeAsync(context, Scope) is null)
            return;
        var all = await keys.ListAsync(context.RequestAborted);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await OAuthResponses.WriteJsonAsync(context.Response, w =>
        {
            w.WriteStartArray("keys");
            foreach (var key in all)
                WriteKey(w, key, all, now);
            w.WriteEndArray();
        });
    }

    internal static void WriteKey(Utf8JsonWriter w, SigningKeyRecord key, IReadOnlyList<SigningKeyRecord> all, long now)
    {
        w.WriteStartObject();
        w.WriteString("kid", key.Kid);
        w.WriteString("alg", key.Algorithm);
        w.WriteString("state", KeyState.Of(key, all, now));
        w.WriteNumber("activates_at", key.ActivatesAt);
        w.WriteNumber("retires_at", key.RetiresAt);
        w.WriteNumber("expires_at", key.ExpiresAt);
        w.WriteEndObject();
    }
}

public sealed class AdminKeysRotateEndpoint(BearerTokenAuthorizer authorizer, KeyManager keys, TimeProvider time) : IEndpointHandler
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await authorizer.AuthorizeAsync(context, AdminKeysListEndpoint.Scope) is null)
            return;
        var immediately = context.Request.Query["immediately"] == "true";
        var key = await keys.RotateAsync(immediately, context.RequestAborted);
        var all = await keys.ListAsync(context.RequestAborted);
        await OAuthResponses.WriteJsonAsync(context.Response, w =>
        {
            w.WritePropertyName("key");
            AdminKeysListEndpoint.WriteKey(w, key, all, time.GetUtcNow().ToUnixTimeSeconds());
        });
    }
}
