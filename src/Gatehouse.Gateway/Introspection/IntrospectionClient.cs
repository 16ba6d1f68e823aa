using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Introspection;

public enum IntrospectionStatus
{
    /// <summary>200 with the paired JWT.</summary>
    Active,
    /// <summary>204: unknown, expired, revoked, forged or malformed.</summary>
    Inactive,
    /// <summary>The server could not be used (401/403/404/other status, unreachable, timeout, bad answer): 502.</summary>
    Failed,
    /// <summary>The server answered 503: 503.</summary>
    Unavailable,
}

public sealed record IntrospectionResult(IntrospectionStatus Status, string? Jwt, TimeSpan? MaxAge, string Log)
{
    public static IntrospectionResult Failed(string log) => new(IntrospectionStatus.Failed, null, null, log);
}

/// <summary>
/// RFC 7662 introspection with <c>Accept: application/jwt</c> (the phantom-token exchange), authenticated with
/// client_secret_basic as the gateway's introspection-only client. Never logs the token.
/// </summary>
public sealed class IntrospectionClient
{
    public const int MaxJwtBytes = 256 * 1024;
    private readonly HttpClient _http;
    private readonly GatewayOptions _options;
    private readonly AuthenticationHeaderValue _credentials;
    private readonly ILogger<IntrospectionClient> _logger;

    public IntrospectionClient(GatewayOptions options, ILogger<IntrospectionClient> logger, HttpMessageHandler? handler = null)
    {
        _options = options;
        _logger = logger;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.IntrospectionTimeout,
            AllowAutoRedirect = false,
        })
        {
            Timeout = options.IntrospectionTimeout,
            MaxResponseContentBufferSize = MaxJwtBytes,
        };
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
        var pair = $"{Uri.EscapeDataString(options.ClientId)}:{Uri.EscapeDataString(options.ClientSecret)}";
        _credentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
    }

    /// <summary>Counts calls that reached the network; for metrics and tests.</summary>
    public long Calls => Interlocked.Read(ref _calls);
    private long _calls;

    public async Task<IntrospectionResult> IntrospectAsync(string token, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent([new("token", token)]),
        };
        request.Headers.Authorization = _credentials;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/jwt"));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    var media = response.Content.Headers.ContentType?.MediaType;
                    if (!string.Equals(media, "application/jwt", StringComparison.OrdinalIgnoreCase))
                        return Fail($"introspection answered 200 with content type '{media}' instead of application/jwt");
                    var jwt = (await response.Content.ReadAsStringAsync(ct)).Trim();
                    if (jwt.Length == 0)
                        return Fail("introspection answered 200 with an empty body");
                    return new IntrospectionResult(IntrospectionStatus.Active, jwt, response.Headers.CacheControl?.MaxAge, "active");
                case HttpStatusCode.NoContent:
                    return new IntrospectionResult(IntrospectionStatus.Inactive, null, null, "introspection: token inactive");
                case HttpStatusCode.ServiceUnavailable:
                    _logger.LogWarning("Introspection at {Endpoint} answered 503", _options.IntrospectionEndpoint);
                    return new IntrospectionResult(IntrospectionStatus.Unavailable, null, null, "introspection answered 503");
                case HttpStatusCode.Unauthorized:
                    return Fail("introspection answered 401: the gateway's client id or secret is wrong (Gatehouse:Gateway:Introspection)");
                case HttpStatusCode.Forbidden:
                    return Fail("introspection answered 403: the gateway's client is not allowed to introspect (set \"Introspection\": true on the server)");
                default:
                    return Fail($"introspection answered {(int)response.StatusCode}");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fail($"introspection timed out after {_options.IntrospectionTimeout.TotalMilliseconds} ms");
        }
        catch (HttpRequestException e)
        {
            return Fail($"introspection could not be reached: {e.Message}");
        }
    }

    private IntrospectionResult Fail(string log)
    {
        _logger.LogWarning("Introspection at {Endpoint} failed: {Reason}", _options.IntrospectionEndpoint, log);
        return IntrospectionResult.Failed(log);
    }
}
