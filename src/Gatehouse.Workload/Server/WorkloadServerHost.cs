using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Registration;
using Gatehouse.Workload.X509;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Server;

/// <summary>
/// <c>gatehouse workload server</c>: the trust domain's CA and registration entries, served to agents over HTTPS.
/// The server authenticates with an X.509-SVID for <see cref="WorkloadServerIds.Server"/>. An agent joins once with a
/// join token and a public key and receives an agent X.509-SVID; every other call needs mutual TLS with that SVID
/// (validated like any X.509-SVID against the trust domain's bundle, and its ID must be an agent's). Over mTLS an agent
/// asks, for the selectors it attested for a caller, for X.509-SVIDs of a public key it made (the private key never
/// leaves the node), for JWT-SVIDs, and for the bundle.
/// </summary>
public static class WorkloadServerHost
{
    public const string JoinPath = "/agent/v1/join";
    public const string RenewPath = "/agent/v1/renew";
    public const string EntitledPath = "/agent/v1/entitled";
    public const string X509SvidsPath = "/agent/v1/x509-svids";
    public const string JwtSvidsPath = "/agent/v1/jwt-svids";
    public const string BundlePath = "/agent/v1/bundle";

    /// <summary>Request bodies are a few selectors and a key; anything larger is refused before it is read.</summary>
    private const long MaxRequestBodyBytes = 64 * 1024;

    public static WebApplication Create(WorkloadCaManager ca, IRegistrationEntryStore entries, IJoinTokenRedeemer joinTokens, IPEndPoint listen,
        TimeSpan agentSvidTtl, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var serverSvid = new RenewingSvid(ca, WorkloadServerIds.Server(ca.TrustDomain));
        var validator = new X509SvidValidator();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            k.Listen(listen, l => l.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = context => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = serverSvid.Current,
                    // Asked for, not required: a joining agent has no SVID yet. Endpoints other than join refuse a
                    // connection without a validated agent SVID; an invalid certificate ends the handshake.
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    {
                        if (certificate is null)
                            return true;
                        var result = SpiffePeerValidation.Validate(certificate, chain, new SpiffeBundleSet(ca.Bundle), validator);
                        if (!result.IsValid)
                            return false;
                        context.Connection.Features.Set(new PeerSpiffeId(result.Id!));
                        return true;
                    },
                }),
            }));
        });
        builder.Services.AddSingleton(ca);
        builder.Services.AddHostedService<WorkloadCaRotator>();
        builder.Services.AddSingleton(TimeProvider.System);
        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("gatehouse.workload.server");

        app.MapPost(JoinPath, async (JoinRequest request, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(request.JoinToken))
                return Error(400, "invalid_request", "join_token is missing.");
            if (ParsePublicKey(request.PublicKey) is not { } publicKey)
                return Error(400, "invalid_request", "public_key must be a base64 SubjectPublicKeyInfo of a P-256 key.");
            if (await joinTokens.TryRedeemAsync(request.JoinToken, ct) is not { } tokenId)
            {
                log.LogWarning("Refused a join token: unknown, used or expired.");
                return Error(401, "invalid_join_token", "The join token is unknown, already used or expired.");
            }
            var agentId = WorkloadServerIds.JoinTokenAgent(ca.TrustDomain, tokenId);
            log.LogInformation("Agent {AgentId} joined.", agentId);
            return Results.Json(new AgentSvidResponse(Der(ca.IssueX509Svid(agentId, publicKey, ttl: agentSvidTtl)), ca.Bundle.ToJson()));
        });

        app.MapPost(RenewPath, (RenewRequest request, HttpContext http) =>
        {
            if (Agent(http) is not { } agentId)
                return AgentRequired();
            if (ParsePublicKey(request.PublicKey) is not { } publicKey)
                return Error(400, "invalid_request", "public_key must be a base64 SubjectPublicKeyInfo of a P-256 key.");
            return Results.Json(new AgentSvidResponse(Der(ca.IssueX509Svid(agentId, publicKey, ttl: agentSvidTtl)), ca.Bundle.ToJson()));
        });

        app.MapPost(EntitledPath, async (EntitledRequest request, HttpContext http, CancellationToken ct) =>
        {
            if (Agent(http) is not { } agent)
                return AgentRequired();
            if (!TryParseSelectors(request.Selectors, agent, out var selectors, out var problem))
                return problem;
            return Results.Json(new EntitledResponse((await entries.MatchAsync(selectors, ct)).Count > 0));
        });

        app.MapPost(X509SvidsPath, async (X509SvidsRequest request, HttpContext http, CancellationToken ct) =>
        {
            if (Agent(http) is not { } agent)
                return AgentRequired();
            if (!TryParseSelectors(request.Selectors, agent, out var selectors, out var problem))
                return problem;
            if (ParsePublicKey(request.PublicKey) is not { } publicKey)
                return Error(400, "invalid_request", "public_key must be a base64 SubjectPublicKeyInfo of a P-256 key.");
            var svids = (await entries.EntitledAsync(selectors, requested: null, ct))
                .Select(e => new IssuedX509Svid(e.SpiffeId.ToString(), Der(ca.IssueX509Svid(e.SpiffeId, publicKey, e.DnsNames, e.X509SvidTtl))))
                .ToArray();
            return Results.Json(new X509SvidsResponse(svids, ca.Bundle.ToJson()));
        });

        app.MapPost(JwtSvidsPath, async (JwtSvidsRequest request, HttpContext http, CancellationToken ct) =>
        {
            if (Agent(http) is not { } agent)
                return AgentRequired();
            if (!TryParseSelectors(request.Selectors, agent, out var selectors, out var problem))
                return problem;
            if (request.Audience is not { Length: > 0 } audience || audience.Any(string.IsNullOrEmpty))
                return Error(400, "invalid_request", "audience must name at least one audience.");
            SpiffeId? requested = null;
            if (request.SpiffeId is { Length: > 0 } text && !SpiffeId.TryParse(text, out requested, out _))
                return Error(400, "invalid_request", "spiffe_id is not a SPIFFE ID.");
            var svids = (await entries.EntitledAsync(selectors, requested, ct))
                .Select(e => new IssuedJwtSvid(e.SpiffeId.ToString(), ca.IssueJwtSvid(e.SpiffeId, audience, e.JwtSvidTtl)))
                .ToArray();
            return Results.Json(new JwtSvidsResponse(svids));
        });

        app.MapGet(BundlePath, (HttpContext http) =>
            Agent(http) is null ? AgentRequired() : Results.Text(ca.Bundle.ToJson(), "application/json"));

        return app;
    }

    /// <summary>The agent on the other end: a validated X.509-SVID whose ID is an agent's; null otherwise.</summary>
    private static SpiffeId? Agent(HttpContext http) =>
        http.Features.Get<PeerSpiffeId>() is { } peer && WorkloadServerIds.IsAgent(peer.Id) ? peer.Id : null;

    private static IResult AgentRequired() =>
        Error(401, "agent_svid_required", "This call needs mutual TLS with an agent X.509-SVID of this trust domain.");

    private static IResult Error(int status, string code, string description) => Results.Json(new AgentError(code, description), statusCode: status);

    private static PublicKey? ParsePublicKey(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
            return null;
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(base64), out _);
            return key.KeySize == 256 ? new PublicKey(key) : null;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// The selectors the agent attested for its caller, plus <c>agent:id:</c> with the agent's own SPIFFE ID from its
    /// certificate, so that an entry pinned to some agents is served to no other; an agent claiming that selector
    /// itself is refused.
    /// </summary>
    private static bool TryParseSelectors(string[]? values, SpiffeId agent, out List<Selector> selectors, out IResult problem)
    {
        selectors = [Selector.AgentId(agent)];
        problem = Results.Empty;
        foreach (var value in values ?? [])
        {
            if (!Selector.TryParse(value, out var selector, out var reason))
            {
                problem = Error(400, "invalid_request", $"selector '{value}': {reason}.");
                return false;
            }
            if (selector.Type == Selector.AgentType)
            {
                problem = Error(400, "invalid_request", $"selector '{value}': agent selectors are added by the server, not reported by agents.");
                return false;
            }
            selectors.Add(selector);
        }
        return true;
    }

    private static string[] Der(IReadOnlyList<X509Certificate2> chain) => chain.Select(c => Convert.ToBase64String(c.RawData)).ToArray();

    private sealed record PeerSpiffeId(SpiffeId Id);
}
