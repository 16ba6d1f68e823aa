using System.Text.Json.Serialization;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Server;

// The JSON messages between an agent and `gatehouse workload server` (HTTPS, POST bodies and responses). Certificates
// and public keys are base64 DER: chains leaf first, public keys as SubjectPublicKeyInfo. Bundles are SPIFFE bundle JSON.

/// <summary>The agent's first call: the join token and the public key of the key pair it made for its agent SVID.</summary>
internal sealed record JoinRequest(
    [property: JsonPropertyName("join_token")] string? JoinToken,
    [property: JsonPropertyName("public_key")] string? PublicKey);

/// <summary>An agent SVID renewal, over mTLS with the current agent SVID.</summary>
internal sealed record RenewRequest([property: JsonPropertyName("public_key")] string? PublicKey);

internal sealed record AgentSvidResponse(
    [property: JsonPropertyName("chain")] string[] Chain,
    [property: JsonPropertyName("bundle")] string Bundle);

/// <summary>The selectors the agent attested for a caller.</summary>
internal sealed record EntitledRequest([property: JsonPropertyName("selectors")] string[]? Selectors);

internal sealed record EntitledResponse([property: JsonPropertyName("entitled")] bool Entitled);

internal sealed record X509SvidsRequest(
    [property: JsonPropertyName("selectors")] string[]? Selectors,
    [property: JsonPropertyName("public_key")] string? PublicKey);

internal sealed record X509SvidsResponse(
    [property: JsonPropertyName("svids")] IssuedX509Svid[] Svids,
    [property: JsonPropertyName("bundle")] string Bundle);

internal sealed record IssuedX509Svid(
    [property: JsonPropertyName("spiffe_id")] string SpiffeId,
    [property: JsonPropertyName("chain")] string[] Chain);

internal sealed record JwtSvidsRequest(
    [property: JsonPropertyName("selectors")] string[]? Selectors,
    [property: JsonPropertyName("audience")] string[]? Audience,
    [property: JsonPropertyName("spiffe_id")] string? SpiffeId);

internal sealed record JwtSvidsResponse([property: JsonPropertyName("svids")] IssuedJwtSvid[] Svids);

internal sealed record IssuedJwtSvid(
    [property: JsonPropertyName("spiffe_id")] string SpiffeId,
    [property: JsonPropertyName("token")] string Token);

/// <summary>An error answer: a stable code and a message for the agent's log.</summary>
internal sealed record AgentError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);

/// <summary>The SPIFFE IDs of the server and of agents, under the reserved <c>/gatehouse/</c> path.</summary>
public static class WorkloadServerIds
{
    private const string AgentPrefix = "/gatehouse/agent/";

    /// <summary>What the server's TLS certificate says it is.</summary>
    public static SpiffeId Server(TrustDomain trustDomain) => SpiffeId.FromPath(trustDomain, "/gatehouse/server");

    /// <summary>An agent attested by a join token, like SPIRE's <c>spiffe://TD/spire/agent/join_token/…</c>.</summary>
    public static SpiffeId JoinTokenAgent(TrustDomain trustDomain, string tokenId) => SpiffeId.FromPath(trustDomain, AgentPrefix + "join_token/" + tokenId);

    public static bool IsAgent(SpiffeId id) => id.Path.StartsWith(AgentPrefix, StringComparison.Ordinal);
}
