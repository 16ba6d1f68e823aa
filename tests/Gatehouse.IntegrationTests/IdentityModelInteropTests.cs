using Duende.IdentityModel.Client;
using Gatehouse.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.IntegrationTests;

/// <summary>One server (all roles, <c>serve --migrate</c>) for the client-library interop tests.</summary>
public sealed class InteropServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public TestConfiguration Config { get; private set; } = null!;
    public GatehouseServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await GatehouseServer.StartAsync(port =>
        {
            Config ??= TestConfiguration.Create(_directory.Path, port);
            return new(["serve", "--config", Config.MoveTo(port), "--migrate", "--urls", Config.Issuer]);
        });
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>Gatehouse against client libraries written elsewhere: Duende.IdentityModel and Microsoft.IdentityModel.Protocols.OpenIdConnect.</summary>
public class IdentityModelInteropTests(InteropServerFixture f) : IClassFixture<InteropServerFixture>
{
    private TestConfiguration Config => f.Config;

    [Fact]
    public async Task Discovery_DuendeClient_AcceptsMetadataAndLoadsKeys()
    {
        using var http = f.Server.CreateClient();

        var disco = await GetDiscoveryAsync(http);

        Assert.False(disco.IsError, $"{disco.ErrorType}: {disco.Error} {disco.Exception}");
        Assert.Equal(Config.Issuer, disco.Issuer);
        Assert.Equal($"{Config.Issuer}/token", disco.TokenEndpoint);
        Assert.Equal($"{Config.Issuer}/introspect", disco.IntrospectionEndpoint);
        Assert.Equal($"{Config.Issuer}/revoke", disco.RevocationEndpoint);
        Assert.Equal($"{Config.Issuer}/jwks", disco.JwksUri);
        Assert.Contains("client_credentials", disco.GrantTypesSupported);
        Assert.Contains("client_secret_basic", disco.TokenEndpointAuthenticationMethodsSupported);
        Assert.Contains("client_secret_post", disco.TokenEndpointAuthenticationMethodsSupported);
        Assert.Contains("appointments", disco.ScopesSupported);
        var key = Assert.Single(disco.KeySet!.Keys);
        Assert.Equal("EC", key.Kty);
        Assert.Equal("ES256", key.Alg);
        Assert.True(string.IsNullOrEmpty(key.D), "the JWKS exposes a private key");
    }

    [Fact]
    public async Task Discovery_MicrosoftConfigurationManager_LoadsSigningKeys()
    {
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            $"{Config.Issuer}/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(f.Server.CreateClient()) { RequireHttps = false });

        var configuration = await manager.GetConfigurationAsync(CancellationToken.None);

        Assert.Equal(Config.Issuer, configuration.Issuer);
        Assert.Equal($"{Config.Issuer}/token", configuration.TokenEndpoint);
        Assert.NotEmpty(configuration.SigningKeys);
    }

    [Theory]
    [InlineData(ClientCredentialStyle.AuthorizationHeader)] // client_secret_basic
    [InlineData(ClientCredentialStyle.PostBody)]            // client_secret_post
    public async Task ClientCredentials_DuendeClient_ObtainsTokenWithEitherAuthMethod(ClientCredentialStyle style)
    {
        using var http = f.Server.CreateClient();
        var disco = await GetDiscoveryAsync(http);

        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "service",
            ClientSecret = Config.SecretOf("service"),
            ClientCredentialStyle = style,
            Scope = "appointments",
        });

        Assert.False(response.IsError, $"{response.ErrorType} {response.Error}: {response.ErrorDescription} {response.Raw}");
        Assert.Equal("Bearer", response.TokenType);
        Assert.Equal(900, response.ExpiresIn);
        Assert.Equal("appointments", response.Scope);
        Assert.False(string.IsNullOrEmpty(response.AccessToken));
        Assert.Equal("no-store", response.HttpResponse!.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("service")]     // opaque reference token
    [InlineData("jwt-service")] // RFC 9068 JWT
    public async Task Introspection_DuendeClient_ActiveTokenCarriesScopeClientIdAndExp(string clientId)
    {
        using var http = f.Server.CreateClient();
        var disco = await GetDiscoveryAsync(http);
        var token = await RequestTokenAsync(http, disco, clientId);

        var introspection = await IntrospectAsync(http, disco, token);

        Assert.False(introspection.IsError, $"{introspection.Error} {introspection.Raw}");
        Assert.True(introspection.IsActive, introspection.Raw);
        Assert.Contains(introspection.Claims, c => c.Type == "scope" && c.Value == "appointments");
        Assert.Contains("appointments", introspection.Scopes);
        Assert.Equal(clientId, introspection.ClientId);
        Assert.Equal(clientId, introspection.Subject);
        Assert.Equal(Config.Issuer, introspection.Issuer);
        Assert.Contains(TestConfiguration.ApiAudience, introspection.Audiences);
        Assert.Contains(introspection.Claims, c => c.Type == "client_id");
        Assert.Contains(introspection.Claims, c => c.Type == "exp");
        var expiresIn = introspection.Expiration!.Value - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn, TimeSpan.FromMinutes(13), TimeSpan.FromMinutes(16));
        // Claims released by the appointments scope.
        Assert.Contains(introspection.Claims, c => c.Type == "hospital" && c.Value == "st-mary");
    }

    [Theory]
    [InlineData("service")]
    [InlineData("jwt-service")]
    public async Task Revocation_DuendeClient_RevokedTokenIntrospectsInactive(string clientId)
    {
        using var http = f.Server.CreateClient();
        var disco = await GetDiscoveryAsync(http);
        var token = await RequestTokenAsync(http, disco, clientId);
        Assert.True((await IntrospectAsync(http, disco, token)).IsActive);

        var revocation = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = disco.RevocationEndpoint,
            ClientId = clientId,
            ClientSecret = Config.SecretOf(clientId),
            Token = token,
            TokenTypeHint = "access_token",
        });

        Assert.False(revocation.IsError, $"{revocation.Error} {revocation.Raw}");
        var after = await IntrospectAsync(http, disco, token);
        Assert.False(after.IsError, after.Raw);
        Assert.False(after.IsActive, after.Raw);
        Assert.DoesNotContain(after.Claims, c => c.Type == "client_id");
    }

    [Fact]
    public async Task Revocation_DuendeClient_UnknownTokenIsStill200()
    {
        using var http = f.Server.CreateClient();
        var disco = await GetDiscoveryAsync(http);

        var revocation = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = disco.RevocationEndpoint,
            ClientId = "service",
            ClientSecret = Config.SecretOf("service"),
            Token = "not-a-token-this-server-issued",
        });

        Assert.False(revocation.IsError, revocation.Raw);
    }

    [Theory]
    [InlineData(ClientCredentialStyle.AuthorizationHeader)]
    [InlineData(ClientCredentialStyle.PostBody)]
    public async Task ClientCredentials_DuendeClient_WrongSecretIsInvalidClient(ClientCredentialStyle style)
    {
        using var http = f.Server.CreateClient();
        var disco = await GetDiscoveryAsync(http);

        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "service",
            ClientSecret = Config.SecretOf("jwt-service"),
            ClientCredentialStyle = style,
        });

        Assert.True(response.IsError);
        // RFC 6749 §5.2: invalid_client with 401. Duende classifies non-400 errors as ResponseErrorType.Http
        // (Error is then the reason phrase) but still parses the error body.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.HttpStatusCode);
        Assert.Equal("invalid_client", response.TryGet("error"));
        Assert.StartsWith("Basic", response.HttpResponse!.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Introspection_DuendeClient_ClientWithoutIntrospectionRightIsRefused()
    {
        using var http = f.Server.CreateClient();
        var disco = await GetDiscoveryAsync(http);
        var token = await RequestTokenAsync(http, disco, "service");

        var introspection = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = "service",
            ClientSecret = Config.SecretOf("service"),
            Token = token,
        });

        Assert.True(introspection.IsError);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, introspection.HttpStatusCode);
    }

    [Fact]
    public async Task Jwt_FromDuendeRequest_ValidatesWithDiscoveredKeys()
    {
        using var http = f.Server.CreateClient();
        var disco = await GetDiscoveryAsync(http);
        var token = await RequestTokenAsync(http, disco, "jwt-service");
        var keys = new JsonWebKeySet(disco.KeySet!.RawData).GetSigningKeys();

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = disco.Issuer,
            ValidAudience = TestConfiguration.ApiAudience,
            ValidTypes = ["at+jwt"],
            IssuerSigningKeys = keys,
        });

        Assert.True(result.IsValid, result.Exception?.ToString());
    }

    private Task<DiscoveryDocumentResponse> GetDiscoveryAsync(HttpClient http) =>
        http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = Config.Issuer,
            Policy = { RequireHttps = false },
        });

    private async Task<string> RequestTokenAsync(HttpClient http, DiscoveryDocumentResponse disco, string clientId)
    {
        Assert.False(disco.IsError, disco.Error);
        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = Config.SecretOf(clientId),
        });
        Assert.False(response.IsError, $"{response.Error}: {response.ErrorDescription}");
        return response.AccessToken!;
    }

    private Task<TokenIntrospectionResponse> IntrospectAsync(HttpClient http, DiscoveryDocumentResponse disco, string token) =>
        http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = "gateway",
            ClientSecret = Config.SecretOf("gateway"),
            Token = token,
            TokenTypeHint = "access_token",
        });
}
