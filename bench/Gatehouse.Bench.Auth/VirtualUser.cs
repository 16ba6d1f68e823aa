using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gatehouse.Bench.Auth;

/// <summary>The tokens of one login, and the refresh token the next refresh must use.</summary>
public sealed record TokenSet(string AccessToken, string RefreshToken);

/// <summary>
/// One user with a browser-less client: its own loopback source address and keep-alive connections, a cookie jar that
/// lives for one login (so that every login is a full one, not single sign-on), and the client that holds its tokens.
/// Every response is checked; a wrong one throws <see cref="FlowException"/> and counts as an error.
/// </summary>
public sealed partial class VirtualUser : IDisposable
{
    private readonly DriverOptions _options;
    private readonly HttpClient _http;
    private readonly string _username;
    private readonly AuthenticationHeaderValue _clientAuth;
    private readonly AuthenticationHeaderValue _serviceAuth;
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public VirtualUser(DriverOptions options, int index)
    {
        _options = options;
        _username = options.UserPrefix + (index % options.Users);
        // Gatehouse limits password posts per client address (Authentication:SignInAttemptsPerMinute, at most 10000);
        // one address per virtual user spreads the load as users on different machines would.
        var source = new IPAddress([127, 0, 0, (byte)(10 + index)]);
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = options.Issuer,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _clientAuth = Basic(options.ClientId, options.ClientSecret);
        _serviceAuth = Basic(options.ServiceClientId, options.ServiceClientSecret);
    }

    /// <summary>
    /// GET /authorize → /login → POST /login → back to /authorize → the redirect URI with a code → POST /token. Returns
    /// the tokens after checking state, iss (RFC 9207), the ID token's nonce and audience, and that all three tokens came.
    /// </summary>
    public async Task<TokenSet> LoginAsync(CancellationToken ct)
    {
        _cookies.Clear();
        var verifier = RandomValue();
        var state = RandomValue();
        var nonce = RandomValue();
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = "/authorize?" + Query(new()
        {
            ["response_type"] = "code", ["client_id"] = _options.ClientId, ["redirect_uri"] = _options.RedirectUri,
            ["scope"] = "openid api", ["state"] = state, ["nonce"] = nonce,
            ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        });

        var loginUrl = await RedirectAsync(new HttpRequestMessage(HttpMethod.Get, authorize), ct);
        if (!loginUrl.AbsolutePath.Equals("/login", StringComparison.Ordinal))
            throw new FlowException($"/authorize redirected to {loginUrl.AbsolutePath}, expected /login");

        var page = await PageAsync(loginUrl, ct);
        var form = new Dictionary<string, string>
        {
            ["returnUrl"] = HiddenField(page, "returnUrl"),
            ["__RequestVerificationToken"] = HiddenField(page, "__RequestVerificationToken"),
            ["username"] = _username,
            ["password"] = _options.Password,
        };
        var next = await RedirectAsync(new HttpRequestMessage(HttpMethod.Post, loginUrl) { Content = new FormUrlEncodedContent(form) }, ct);
        // After the login page: back through /authorize (at most a few hops) until the client's redirect URI.
        for (var hops = 0; !next.ToString().StartsWith(_options.RedirectUri, StringComparison.Ordinal); hops++)
        {
            if (hops == 3 || !next.AbsolutePath.Equals("/authorize", StringComparison.Ordinal))
                throw new FlowException($"after the login page, redirected to {next.AbsolutePath}, expected /authorize or the redirect URI");
            next = await RedirectAsync(new HttpRequestMessage(HttpMethod.Get, next), ct);
        }

        var response = ParseQuery(next.Query);
        if (response.GetValueOrDefault("state") != state)
            throw new FlowException("the authorization response's state differs from the request's");
        if (response.GetValueOrDefault("iss") != _options.Issuer.ToString().TrimEnd('/'))
            throw new FlowException($"the authorization response's iss is '{response.GetValueOrDefault("iss")}', expected the issuer (RFC 9207)");
        if (response.GetValueOrDefault("code") is not { Length: > 0 } code)
            throw new FlowException($"no code in the authorization response: {next.Query}");

        using var tokens = await TokenAsync(_clientAuth, new()
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = _options.RedirectUri, ["code_verifier"] = verifier,
        }, ct);
        var idToken = Required(tokens, "id_token");
        using var claims = JsonDocument.Parse(Base64UrlDecode(idToken.Split('.') is [_, var payload, _] ? payload : throw new FlowException("the id_token is not a JWS")));
        if (claims.RootElement.GetProperty("nonce").GetString() != nonce)
            throw new FlowException("the ID token's nonce differs from the request's");
        if (!AudienceContains(claims.RootElement.GetProperty("aud"), _options.ClientId))
            throw new FlowException("the ID token's aud does not contain the client");
        return new TokenSet(Required(tokens, "access_token"), Required(tokens, "refresh_token"));
    }

    /// <summary>The refresh_token grant; the server rotates, so the returned refresh token must be new.</summary>
    public async Task<TokenSet> RefreshAsync(TokenSet current, CancellationToken ct)
    {
        using var tokens = await TokenAsync(_clientAuth, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = current.RefreshToken }, ct);
        var next = new TokenSet(Required(tokens, "access_token"), Required(tokens, "refresh_token"));
        if (next.RefreshToken == current.RefreshToken || next.AccessToken == current.AccessToken)
            throw new FlowException("the refresh grant returned an old token");
        return next;
    }

    /// <summary>The baseline: a plain client_credentials grant on the same server.</summary>
    public async Task ClientCredentialsAsync(CancellationToken ct)
    {
        using var tokens = await TokenAsync(_serviceAuth, new() { ["grant_type"] = "client_credentials" }, ct);
        Required(tokens, "access_token");
    }

    private async Task<JsonDocument> TokenAsync(AuthenticationHeaderValue client, Dictionary<string, string> form, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = client;
        using var response = await _http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new FlowException($"/token ({form["grant_type"]}) answered {(int)response.StatusCode}: {Shorten(body)}");
        var json = JsonDocument.Parse(body);
        if (json.RootElement.GetProperty("token_type").GetString() != "Bearer")
            throw new FlowException($"/token answered token_type {json.RootElement.GetProperty("token_type")}");
        return json;
    }

    /// <summary>Sends a request that must answer 302/303 and returns the absolute Location.</summary>
    private async Task<Uri> RedirectAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        using (var response = await SendAsync(request, ct))
        {
            if (response.StatusCode is not (HttpStatusCode.Found or HttpStatusCode.SeeOther) || response.Headers.Location is not { } location)
                throw new FlowException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}, expected a redirect: {Shorten(await response.Content.ReadAsStringAsync(ct))}");
            return location.IsAbsoluteUri ? location : new Uri(_options.Issuer, location);
        }
    }

    private async Task<string> PageAsync(Uri url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await SendAsync(request, ct);
        var html = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new FlowException($"GET {url.AbsolutePath} answered {(int)response.StatusCode}: {Shorten(html)}");
        return html;
    }

    /// <summary>Sends with this login's cookies and keeps the ones the server sets (all on the issuer's host, path /).</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (_cookies.Count > 0)
            request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await _http.SendAsync(request, ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                var pair = setCookie.Split(';', 2)[0];
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                    continue;
                var (name, value) = (pair[..equals].Trim(), pair[(equals + 1)..].Trim());
                if (value.Length == 0)
                    _cookies.Remove(name);
                else
                    _cookies[name] = value;
            }
        }
        return response;
    }

    private static string HiddenField(string html, string name)
    {
        foreach (Match input in InputElement().Matches(html))
        {
            var element = input.Value;
            if (Attribute(element, "name") == name && Attribute(element, "type") == "hidden")
                return WebUtility.HtmlDecode(Attribute(element, "value") ?? "");
        }
        throw new FlowException($"the login page has no hidden field '{name}'");
    }

    private static string? Attribute(string element, string name)
    {
        var match = Regex.Match(element, $"\\s{Regex.Escape(name)}=\"([^\"]*)\"", RegexOptions.CultureInvariant);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InputElement();

    private static string Required(JsonDocument json, string property) =>
        json.RootElement.TryGetProperty(property, out var value) && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FlowException($"the token response has no {property}");

    private static bool AudienceContains(JsonElement aud, string clientId) =>
        aud.ValueKind == JsonValueKind.String ? aud.GetString() == clientId : aud.EnumerateArray().Any(a => a.GetString() == clientId);

    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        // RFC 6749 §2.3.1: client_id and secret are form-urlencoded before Basic encoding.
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}")));

    private static string Query(Dictionary<string, string> values) =>
        string.Join('&', values.Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}"));

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);

    private static string RandomValue() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => _http.Dispose();
}

/// <summary>A response that is not what the flow expects: counted as an error.</summary>
public sealed class FlowException(string message) : Exception(message);
