using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Gatehouse.Samples.Medical.Portal;

/// <summary>
/// A doctor's web portal: a confidential OpenID Connect client built only from ASP.NET Core's own OpenIdConnect
/// handler (code flow, PKCE, pushed authorization requests when the server offers them, userinfo, RP-initiated
/// logout). It signs doctors in at Gatehouse and calls the Medical API through the phantom-token gateway. Shared by its
/// own Program, by <c>gatehouse up</c> and by the end-to-end tests.
/// </summary>
public static class MedicalPortal
{
    private const string Cookie = CookieAuthenticationDefaults.AuthenticationScheme;
    private const string Oidc = OpenIdConnectDefaults.AuthenticationScheme;

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(PortalOptions.SectionName).Get<PortalOptions>() ?? new PortalOptions();
        Validate(options);
        builder.Services.AddSingleton(options);
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = Cookie;
                o.DefaultChallengeScheme = Oidc;
            })
            .AddCookie(Cookie, c =>
            {
                c.Cookie.Name = "portal.session";
                c.Cookie.SameSite = SameSiteMode.Lax;
                c.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            })
            .AddOpenIdConnect(Oidc, o =>
            {
                o.Authority = options.Authority;
                o.RequireHttpsMetadata = options.RequireHttpsMetadata;
                o.ClientId = options.ClientId;
                o.ClientSecret = options.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.Scope.Clear();
                foreach (var scope in options.Scopes)
                    o.Scope.Add(scope);
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = "roles";
                o.ClaimActions.MapUniqueJsonKey("department", "department");
                o.ClaimActions.MapUniqueJsonKey("hospital", "hospital");
                o.ClaimActions.MapJsonKey("roles", "roles");
            });
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery();
        builder.Services.AddHttpClient("medical", c => c.BaseAddress = new Uri(options.MedicalApi.TrimEnd('/') + "/"));
        builder.Services.AddHttpClient("gatehouse");

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/", Home);
        app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [Oidc]));
        app.MapGet("/profile", Profile).RequireAuthorization();
        app.MapGet("/appointments", Appointments).RequireAuthorization();
        app.MapPost("/refresh", Refresh).RequireAuthorization();
        app.MapPost("/signout", SignOut);
        app.MapGet("/health", () => "ok");
        return app;
    }

    private static void Validate(PortalOptions o)
    {
        var missing = new (string Key, string Value)[]
        {
            ("Authority", o.Authority), ("ClientId", o.ClientId), ("ClientSecret", o.ClientSecret), ("MedicalApi", o.MedicalApi),
        }.Where(p => string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{PortalOptions.SectionName}:{p.Key}").ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"Missing setting(s) {string.Join(", ", missing)}. Set them in appsettings.json or as environment variables (e.g. Portal__ClientSecret).");
    }

    private static IResult Home(HttpContext context, IAntiforgery antiforgery)
    {
        if (context.User.Identity?.IsAuthenticated != true)
            return Html.Page("Doctor portal", """<p>You are not signed in.</p><p><a href="/signin">Sign in with Gatehouse</a></p>""");
        var user = context.User;
        var tokens = antiforgery.GetAndStoreTokens(context);
        return Html.Page("Doctor portal", $"""
            <p>Signed in as <strong id="user-name">{Html.E(user.Identity?.Name ?? user.FindFirstValue("sub"))}</strong>
            (department <span id="department">{Html.E(user.FindFirstValue("department"))}</span>,
            hospital <span id="hospital">{Html.E(user.FindFirstValue("hospital"))}</span>).</p>
            <ul><li><a href="/profile">Profile (userinfo)</a></li><li><a href="/appointments">My department's appointments</a></li></ul>
            {Html.PostButton("/refresh", "Refresh tokens", tokens.FormFieldName, tokens.RequestToken!)}
            {Html.PostButton("/signout", "Sign out", tokens.FormFieldName, tokens.RequestToken!)}
            """);
    }

    /// <summary>Calls the userinfo endpoint with the current access token, as a client does to get fresh user claims.</summary>
    private static async Task<IResult> Profile(HttpContext context, IHttpClientFactory http, IOptionsMonitor<OpenIdConnectOptions> oidc, CancellationToken ct)
    {
        var configuration = await oidc.Get(Oidc).ConfigurationManager!.GetConfigurationAsync(ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, configuration.UserInfoEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await context.GetTokenAsync("access_token"));
        using var response = await http.CreateClient("gatehouse").SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            return Html.Page("Profile", $"""<p role="alert">The userinfo endpoint answered {(int)response.StatusCode}.</p>""", 502);
        using var userinfo = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var rows = userinfo.RootElement.EnumerateObject().Select(p => new[] { p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText() });
        var expiresAt = await context.GetTokenAsync("expires_at");
        var refreshToken = await context.GetTokenAsync("refresh_token");
        return Html.Page("Profile", Html.Table("Claims from the userinfo endpoint", ["Claim", "Value"], rows) + $"""
            <p>Access token expires at <span id="expires-at">{Html.E(expiresAt)}</span>.
            Refresh token fingerprint: <code id="refresh-fingerprint">{Html.E(Fingerprint(refreshToken))}</code>.</p>
            """);
    }

    private static async Task<IResult> Appointments(HttpContext context, IHttpClientFactory http, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "appointments");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await context.GetTokenAsync("access_token"));
        using var response = await http.CreateClient("medical").SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            return Html.Page("Appointments", $"""<p role="alert">The Medical API answered {(int)response.StatusCode}.</p>""", 502);
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        string? Field(JsonElement a, string name) => a.TryGetProperty(name, out var v) ? v.ToString() : null;
        var rows = list.RootElement.EnumerateArray().Select(a => new[]
        {
            Field(a, "id"), Field(a, "hospitalId"), Field(a, "department"), Field(a, "doctorId"), Field(a, "patientId"), Field(a, "startsAt"), Field(a, "status"),
        });
        return Html.Page("Appointments", Html.Table("Appointments you may see", ["Id", "Hospital", "Department", "Doctor", "Patient", "Starts at", "Status"], rows));
    }

    /// <summary>Uses the refresh token (RFC 6749 §6) and keeps the rotated one: Gatehouse revokes the family if an old one is reused.</summary>
    private static async Task<IResult> Refresh(HttpContext context, IAntiforgery antiforgery, IHttpClientFactory http,
        IOptionsMonitor<OpenIdConnectOptions> oidc, PortalOptions options, CancellationToken ct)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
            return Html.Page("Refresh", """<p role="alert">The form expired. Go back and try again.</p>""", 400);
        var auth = await context.AuthenticateAsync(Cookie);
        var refreshToken = auth.Properties?.GetTokenValue("refresh_token");
        if (auth.Principal is null || auth.Properties is null || refreshToken is null)
            return Html.Page("Refresh", """<p role="alert">There is no refresh token in this session.</p>""", 400);

        var configuration = await oidc.Get(Oidc).ConfigurationManager!.GetConfigurationAsync(ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }),
        };
        // RFC 6749 §2.3.1: client_id and secret are form-encoded before base64.
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(options.ClientId)}:{Uri.EscapeDataString(options.ClientSecret)}")));
        using var response = await http.CreateClient("gatehouse").SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            return Html.Page("Refresh", $"""<p role="alert">The token endpoint answered {(int)response.StatusCode}. Sign in again.</p>""", 502);

        using var tokens = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = tokens.RootElement;
        auth.Properties.UpdateTokenValue("access_token", root.GetProperty("access_token").GetString()!);
        if (root.TryGetProperty("refresh_token", out var rotated))
            auth.Properties.UpdateTokenValue("refresh_token", rotated.GetString()!);
        if (root.TryGetProperty("id_token", out var idToken))
            auth.Properties.UpdateTokenValue("id_token", idToken.GetString()!);
        if (root.TryGetProperty("expires_in", out var expiresIn))
            auth.Properties.UpdateTokenValue("expires_at", DateTimeOffset.UtcNow.AddSeconds(expiresIn.GetInt32()).ToString("o"));
        await context.SignInAsync(Cookie, auth.Principal, auth.Properties);
        return Html.Page("Refresh", """<p role="status">Tokens refreshed.</p><p><a href="/profile">See your profile</a></p>""");
    }

    /// <summary>Ends the local session and sends the browser to Gatehouse's end_session_endpoint with the id_token_hint.</summary>
    private static async Task<IResult> SignOut(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
            return Html.Page("Sign out", """<p role="alert">The form expired. Go back and try again.</p>""", 400);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [Cookie, Oidc]);
    }

    /// <summary>Lets a person (or a test) see that a token changed without showing the token.</summary>
    private static string Fingerprint(string? token) =>
        token is null ? "none" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12].ToLowerInvariant();
}
