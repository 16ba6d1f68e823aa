// OpenIddict 7 doing the work of Gatehouse's benchmark clients (bench/run), set up the way OpenIddict's
// client-credentials sample (Aridka) does: EF Core stores on SQLite, the token endpoint passed through to an
// application handler that builds the principal, introspection and revocation handled by OpenIddict itself.
// The same choices as Gatehouse where OpenIddict offers one: ES256 signatures, signed (not encrypted) JWT access
// tokens valid for one hour with scope "api" for urn:bench:api and a "tenant" claim.
//
//   dotnet gatehouse-bench-openiddict.dll --urls http://127.0.0.1:PORT --database FILE --client-secret SECRET
//                                         [--access-tokens reference|jwt]
//
// --access-tokens reference (the default) returns reference (opaque) access tokens; jwt returns the JWT itself.
// OpenIddict chooses this for the whole server, not per client, so bench/peers/run starts it once per format.
// Clients: bench-opaque and bench-jwt, both with SECRET over HTTP Basic.
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var database = builder.Configuration["database"] ?? throw new InvalidOperationException("--database FILE is required.");
var clientSecret = builder.Configuration["client-secret"] ?? throw new InvalidOperationException("--client-secret is required.");
var referenceTokens = (builder.Configuration["access-tokens"] ?? "reference") switch
{
    "reference" => true,
    "jwt" => false,
    var other => throw new InvalidOperationException($"--access-tokens must be reference or jwt, not '{other}'."),
};

builder.Services.AddDbContext<DbContext>(options =>
{
    options.UseSqlite($"Data Source={database}");
    options.UseOpenIddict();
});

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DbContext>())
    .AddServer(options =>
    {
        options.SetTokenEndpointUris("connect/token")
               .SetIntrospectionEndpointUris("connect/introspect")
               .SetRevocationEndpointUris("connect/revoke");
        options.AllowClientCredentialsFlow();
        options.RegisterScopes("api");
        options.SetAccessTokenLifetime(TimeSpan.FromHours(1));
        options.AddSigningKey(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)));
        options.AddEphemeralEncryptionKey();
        options.DisableAccessTokenEncryption();
        if (referenceTokens)
            options.UseReferenceAccessTokens();
        // Plain HTTP on loopback, like every system in the benchmark.
        options.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
    });

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<DbContext>().Database.EnsureCreatedAsync();
    var scopes = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
    if (await scopes.FindByNameAsync("api") is null)
        await scopes.CreateAsync(new OpenIddictScopeDescriptor { Name = "api", Resources = { "urn:bench:api" } });
    var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
    foreach (var clientId in new[] { "bench-opaque", "bench-jwt" })
    {
        if (await applications.FindByClientIdAsync(clientId) is not null)
            continue;
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Token, Permissions.Endpoints.Introspection, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + "api",
            },
        });
    }
}

app.MapPost("/connect/token", async (HttpContext context, IOpenIddictApplicationManager applications, IOpenIddictScopeManager scopes) =>
{
    // OpenIddict has already authenticated the client and checked its grant type and scope permissions.
    var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("No OpenID Connect request.");
    if (!request.IsClientCredentialsGrantType())
        return Results.BadRequest();
    var application = await applications.FindByClientIdAsync(request.ClientId!)
        ?? throw new InvalidOperationException("The authenticated client no longer exists.");

    var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
    identity.SetClaim(Claims.Subject, await applications.GetClientIdAsync(application));
    identity.SetClaim("tenant", "bench");
    identity.SetScopes(request.GetScopes());
    identity.SetResources(await scopes.ListResourcesAsync(identity.GetScopes()).ToListAsync());
    identity.SetDestinations(static _ => [Destinations.AccessToken]);
    return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
});

app.Run();
