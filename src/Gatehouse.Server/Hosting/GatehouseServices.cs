using Gatehouse.Server.Admin;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Discovery;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Gatehouse.Server.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Server.Hosting;

public static class GatehouseServices
{
    /// <summary>Everything but the web endpoints: storage, keys, clients, token issuing. Used by the server and by the CLI.</summary>
    public static IServiceCollection AddGatehouseCore(this IServiceCollection services, GatehouseOptions options)
    {
        StorageServiceCollectionExtensions.EnsureSqliteDirectory(options.Storage);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddGatehouseStorage(options.Storage);
        services.AddSingleton(KeyProtector.FromBase64(options.Keys.EncryptionKey));
        // A key stays published until the last token it signed expires: access tokens and ID tokens alike.
        var longestLifetime = options.Clients.Values.SelectMany(c => new[] { c.AccessTokenLifetime, c.IdTokenLifetime }).DefaultIfEmpty(TimeSpan.Zero).Max();
        services.AddSingleton(new KeySchedule(options.Keys, longestLifetime));
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<KeyManager>();
        services.AddSingleton<ClientRegistry>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<ClaimRelease>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<TokenInspector>();
        services.AddSingleton(options.Authentication);
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<UserSeeder>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<ConsentStore>();
        services.AddSingleton<PushedAuthorizationRequestStore>();
        services.AddSingleton<AuthorizationCodeStore>();
        services.AddSingleton<RefreshTokenStore>();
        services.AddSingleton<GrantRevoker>();
        return services;
    }

    /// <summary>The endpoint handlers and background services of a serving process.</summary>
    public static IServiceCollection AddGatehouseServer(this IServiceCollection services, GatehouseOptions options)
    {
        services.AddGatehouseCore(options);
        services.AddSingleton<TokenEndpoint>();
        services.AddSingleton<IntrospectionEndpoint>();
        services.AddSingleton<RevocationEndpoint>();
        services.AddSingleton<IdTokenIssuer>();
        services.AddSingleton<UserTokenIssuer>();
        services.AddSingleton<AuthorizationCodeGrant>();
        services.AddSingleton<RefreshTokenGrant>();
        services.AddSingleton<UserinfoEndpoint>();
        services.AddSingleton<MetadataEndpoint>();
        services.AddSingleton<JwksEndpoint>();
        services.AddSingleton<BearerTokenAuthorizer>();
        services.AddSingleton<AdminKeysListEndpoint>();
        services.AddSingleton<AdminKeysRotateEndpoint>();
        services.AddHostedService<KeyRotationService>();
        services.AddHostedService<TokenCleanupService>();
        if (GatehouseApplication.RolesOf(options).HasFlag(ServiceRoles.Authentication))
            services.AddGatehouseAuthentication(options);
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: ["ready"]);
        return services;
    }
}
