using System.Net;
using Gatehouse.Gateway.Tests.Infrastructure;

namespace Gatehouse.Gateway.Tests;

/// <summary>
/// Real nginx <c>auth_request</c> → the gateway's external-auth endpoint (real <c>gatehouse gateway</c> and
/// <c>gatehouse serve</c>) → the echo API receives the JWT. The configuration is the one docs/gateway.md shows.
/// </summary>
public sealed class NginxAuthRequestTests
{
    public static string ServerBlock(Uri gateway, Uri api) => $$"""
          server {
            listen 127.0.0.1:{PORT};
            location = /_gatehouse_auth_appointments {
              internal;
              proxy_pass {{gateway.ToString().TrimEnd('/')}}/_gatehouse/auth?scope=appointments;
              proxy_pass_request_body off;
              proxy_set_header Content-Length "";
              proxy_set_header X-Original-Method $request_method;
              proxy_set_header X-Original-URI $request_uri;
            }
            location = /_gatehouse_auth_records {
              internal;
              proxy_pass {{gateway.ToString().TrimEnd('/')}}/_gatehouse/auth?scope=records;
              proxy_pass_request_body off;
              proxy_set_header Content-Length "";
              proxy_set_header X-Original-Method $request_method;
              proxy_set_header X-Original-URI $request_uri;
            }
            # auth_request turns any status but 2xx/401/403 into 500; give the client 502 or 503 instead.
            location @gatehouse_auth_failed {
              default_type application/json;
              if ($gatehouse_status = 503) { return 503 '{"error":"temporarily_unavailable"}'; }
              return 502 '{"error":"server_error"}';
            }
            location /api/ {
              auth_request /_gatehouse_auth_appointments;
              auth_request_set $gatehouse_authorization $upstream_http_authorization;
              auth_request_set $gatehouse_status $upstream_status;
              error_page 500 = @gatehouse_auth_failed;
              proxy_set_header Authorization $gatehouse_authorization;
              proxy_pass {{api.ToString().TrimEnd('/')}};
            }
            location /records/ {
              auth_request /_gatehouse_auth_records;
              auth_request_set $gatehouse_authorization $upstream_http_authorization;
              auth_request_set $gatehouse_status $upstream_status;
              error_page 500 = @gatehouse_auth_failed;
              proxy_set_header Authorization $gatehouse_authorization;
              proxy_pass {{api.ToString().TrimEnd('/')}};
            }
          }
        """;

    [Fact]
    public async Task AuthRequest_ForwardsTheJwt_AndTheMatrixHoldsThroughNginx()
    {
        await using var stack = await RealStack.StartAsync(cacheMaximumLifetime: "00:00:01");
        await using var nginx = await Nginx.StartAsync(ServerBlock(stack.GatewayAddress, stack.Api.Address));
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = nginx.Address, Timeout = TimeSpan.FromSeconds(30) };

        var token = await stack.ObtainTokenAsync("appointments");
        var jwt = await stack.PairedJwtAsync(token);
        using (var ok = await Send.GetAsync(http, "/api/appointments?day=1", "Bearer " + token))
        {
            Assert.True(ok.StatusCode == HttpStatusCode.OK, $"{ok.StatusCode}: {await ok.Content.ReadAsStringAsync()}\n{nginx.ErrorLog}");
            var (authorization, echo) = await EchoApi.ReadAsync(ok);
            Assert.Equal("Bearer " + jwt, authorization);
            Assert.Equal("/api/appointments", echo.GetProperty("path").GetString());
        }

        using (var noToken = await Send.GetAsync(http, "/api/appointments"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
            Assert.Equal("Bearer realm=\"gatehouse\"", noToken.Headers.WwwAuthenticate.ToString());
            Assert.False(noToken.Headers.Contains("X-Echo"));
        }
        using (var unknown = await Send.GetAsync(http, "/api/appointments", "Bearer " + Send.NewToken()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
            Assert.Contains("error=\"invalid_token\"", unknown.Headers.WwwAuthenticate.ToString());
        }
        using (var scope = await Send.GetAsync(http, "/records/1", "Bearer " + token))
        {
            Assert.Equal(HttpStatusCode.Forbidden, scope.StatusCode);
            Assert.False(scope.Headers.Contains("X-Echo"));
        }

        await stack.StopServerAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // past the 1 s cache bound
        using (var down = await Send.GetAsync(http, "/api/appointments", "Bearer " + token))
        {
            Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
            Assert.False(down.Headers.Contains("X-Echo"));
        }

        await stack.StartServerAsync();
        using var recovered = await Send.GetAsync(http, "/api/appointments", "Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }
}
