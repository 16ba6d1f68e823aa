using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Storage;
using Gatehouse.Workload.Server;
using Microsoft.IdentityModel.Tokens;
using System.Security.Cryptography;

namespace Gatehouse.Workload;

/// <summary>Join tokens in the Gatehouse store: 256 random bits shown once, only their SHA-256 kept.</summary>
internal sealed class StoredJoinTokens(WorkloadJoinTokenStore store, TimeProvider time) : IJoinTokenRedeemer
{
    /// <summary>Creates a token valid for <paramref name="ttl"/>; returns it with its public id and expiry.</summary>
    public async Task<(string Token, string Id, DateTimeOffset ExpiresAt)> CreateAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.DeleteExpiredAsync(now.ToUnixTimeSeconds(), cancellationToken);
        var token = OpaqueToken.Create();
        // The id names the agent (spiffe://TD/gatehouse/agent/join_token/ID) in logs and certificates; unlike SPIRE, not the token itself.
        var id = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        var expiresAt = now + ttl;
        await store.AddAsync(new WorkloadJoinTokenRecord
        {
            Hash = TokenHash.Sha256(token), Id = id, CreatedAt = now.ToUnixTimeSeconds(), ExpiresAt = expiresAt.ToUnixTimeSeconds(),
        }, cancellationToken);
        return (token, id, expiresAt);
    }

    // Looked up by hash: the presented token is never compared with a stored secret, so there is no timing to leak.
    public Task<string?> TryRedeemAsync(string joinToken, CancellationToken cancellationToken) =>
        store.TryRedeemAsync(TokenHash.Sha256(joinToken), time.GetUtcNow().ToUnixTimeSeconds(), cancellationToken);
}
