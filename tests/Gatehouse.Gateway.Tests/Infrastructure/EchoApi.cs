using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Tests.Infrastructure;

/// <summary>The test API: answers with the method, path, query, headers and body it received, as JSON.</summary>
public static class EchoApi
{
    public static Task<LoopbackApp> StartAsync(int port = 0) => LoopbackApp.StartAsync(app =>
    {
        app.UseWebSockets();
        app.Map("/{**path}", async (HttpContext context) =>
        {
            if (context.WebSockets.IsWebSocketRequest)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var hello = System.Text.Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
                await socket.SendAsync(hello, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var echo = new Dictionary<string, object?>
            {
                ["method"] = context.Request.Method,
                ["path"] = context.Request.Path.Value,
                ["query"] = context.Request.QueryString.Value,
                ["headers"] = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                ["body"] = body,
            };
            context.Response.Headers["X-Echo"] = "1";
            await context.Response.WriteAsJsonAsync(echo);
        });
    }, port: port);

    public static async Task<(string? Authorization, JsonElement Echo)> ReadAsync(HttpResponseMessage response)
    {
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        var headers = json.GetProperty("headers");
        return (headers.TryGetProperty("authorization", out var a) ? a.GetString() : null, json);
    }
}
