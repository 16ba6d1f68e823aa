using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api.Proto;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Jwt;
using Gatehouse.Workload.Registration;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Workload.Api;

/// <summary>
/// The SPIFFE Workload API (SPIFFE_Workload_API.md) over a Unix socket. Unary: FetchJWTSVID, ValidateJWTSVID.
/// Streams (FetchX509SVID, FetchX509Bundles, FetchJWTBundles) send the full state first and again whenever the
/// bundle changes or, for X.509-SVIDs, when half of the SVID's life has passed (§5.1: every message is complete).
/// </summary>
public sealed class WorkloadApiService(
    IWorkloadIdentityProvider identities,
    IWorkloadAttestor attestor,
    WorkloadApiFederation federation,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime) : SpiffeWorkloadAPI.SpiffeWorkloadAPIBase
{
    /// <summary>SPIFFE_Workload_Endpoint §4: every request carries this metadata, proving it was not forged via SSRF.</summary>
    public const string SecurityHeader = "workload.spiffe.io";

    public override async Task<JWTSVIDResponse> FetchJWTSVID(JWTSVIDRequest request, ServerCallContext context)
    {
        RequireSecurityHeader(context);
        if (request.Audience.Count == 0 || request.Audience.Any(string.IsNullOrEmpty))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "audience must be specified"));
        SpiffeId? requested = null;
        if (request.SpiffeId.Length > 0 && !SpiffeId.TryParse(request.SpiffeId, out requested, out var error))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"spiffe_id is not a valid SPIFFE ID ({error})"));

        var selectors = await AttestAsync(PeerOf(context), context.CancellationToken).ConfigureAwait(false);
        var svids = Entitled(await Ask(() => identities.FetchJwtSvidsAsync(selectors, request.Audience, requested, context.CancellationToken)).ConfigureAwait(false));

        var response = new JWTSVIDResponse();
        foreach (var svid in svids) // the first is the default identity (§6.2)
            response.Svids.Add(new JWTSVID { SpiffeId = svid.Id.ToString(), Svid = svid.Token });
        return response;
    }

    public override async Task<ValidateJWTSVIDResponse> ValidateJWTSVID(ValidateJWTSVIDRequest request, ServerCallContext context)
    {
        RequireSecurityHeader(context);
        if (string.IsNullOrEmpty(request.Audience))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "audience must be specified"));
        if (string.IsNullOrEmpty(request.Svid))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "svid must be specified"));

        var bundles = new SpiffeBundleSet(federation.Bundles);
        bundles.Put(identities.Bundle); // our own trust domain always wins over a federated bundle claiming it
        var result = await new JwtSvidValidator(timeProvider).ValidateAsync(request.Svid, bundles, request.Audience).ConfigureAwait(false);
        if (!result.IsValid)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"invalid JWT-SVID: {result.Error}"));

        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(new JsonWebToken(request.Svid).EncodedPayload));
        return new ValidateJWTSVIDResponse { SpiffeId = result.Id!.ToString(), Claims = Struct.Parser.ParseJson(payload) };
    }

    public override async Task FetchX509SVID(X509SVIDRequest request, IServerStreamWriter<X509SVIDResponse> responseStream, ServerCallContext context)
    {
        RequireSecurityHeader(context);
        var peer = PeerOf(context);
        await StreamAsync(context, async () =>
        {
            var selectors = await AttestAsync(peer, context.CancellationToken).ConfigureAwait(false);
            var svids = Entitled(await Ask(() => identities.FetchX509SvidsAsync(selectors, context.CancellationToken)).ConfigureAwait(false));
            var bundle = identities.Bundle;
            var response = new X509SVIDResponse();
            var refreshAt = DateTimeOffset.MaxValue;
            foreach (var svid in svids) // the first is the default identity (§5.3)
            {
                using var _ = svid;
                response.Svids.Add(new X509SVID
                {
                    SpiffeId = svid.Id.ToString(),
                    X509Svid = Concatenate(svid.Certificates.Select(c => c.RawData)),
                    X509SvidKey = ByteString.CopyFrom(svid.PrivateKey.ExportPkcs8PrivateKey()),
                    Bundle = Concatenate(bundle.X509Authorities.Select(c => c.RawData)),
                });
                var notBefore = new DateTimeOffset(svid.Leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
                var halfLife = notBefore + (svid.NotAfter - notBefore) / 2;
                refreshAt = halfLife < refreshAt ? halfLife : refreshAt;
            }
            foreach (var federated in federation.Bundles.Where(b => b.TrustDomain != identities.TrustDomain))
                response.FederatedBundles[federated.TrustDomain.Id.ToString()] = Concatenate(federated.X509Authorities.Select(c => c.RawData));
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
            return refreshAt;
        }).ConfigureAwait(false);
    }

    public override async Task FetchX509Bundles(X509BundlesRequest request, IServerStreamWriter<X509BundlesResponse> responseStream, ServerCallContext context)
    {
        RequireSecurityHeader(context);
        var peer = PeerOf(context);
        await StreamAsync(context, async () =>
        {
            await RequireEntitledAsync(peer, context.CancellationToken).ConfigureAwait(false);
            var response = new X509BundlesResponse();
            foreach (var bundle in AllBundles())
                response.Bundles[bundle.TrustDomain.Id.ToString()] = Concatenate(bundle.X509Authorities.Select(c => c.RawData));
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
            return DateTimeOffset.MaxValue;
        }).ConfigureAwait(false);
    }

    public override async Task FetchJWTBundles(JWTBundlesRequest request, IServerStreamWriter<JWTBundlesResponse> responseStream, ServerCallContext context)
    {
        RequireSecurityHeader(context);
        var peer = PeerOf(context);
        await StreamAsync(context, async () =>
        {
            await RequireEntitledAsync(peer, context.CancellationToken).ConfigureAwait(false);
            var response = new JWTBundlesResponse();
            foreach (var bundle in AllBundles())
            {
                // §6.3: only jwt-svid keys, never keys with other uses.
                var jwtOnly = new SpiffeBundle(bundle.TrustDomain, jwtAuthorities: bundle.JwtAuthorities.Values, sequenceNumber: bundle.SequenceNumber, refreshHint: bundle.RefreshHint);
                response.Bundles[bundle.TrustDomain.Id.ToString()] = ByteString.CopyFromUtf8(jwtOnly.ToJson());
            }
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
            return DateTimeOffset.MaxValue;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a message, then waits for a change of our bundle or a federated one, or the time the message asks to be refreshed, and repeats
    /// until the client goes away or the agent stops (then the stream ends cleanly, so shutdown does not wait for
    /// clients). A PermissionDenied from <paramref name="send"/> ends the stream (§5.5 redaction).
    /// </summary>
    private async Task StreamAsync(ServerCallContext context, Func<Task<DateTimeOffset>> send)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellation = linked.Token;
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(SpiffeBundle _) => changed.TrySetResult();
        identities.BundleChanged += OnChange;
        federation.BundleChanged += OnChange;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                var refreshAt = await send().ConfigureAwait(false);
                var wait = refreshAt == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : refreshAt - timeProvider.GetUtcNow();
                if (wait != Timeout.InfiniteTimeSpan && wait < TimeSpan.Zero)
                    wait = TimeSpan.Zero;
                var delay = Task.Delay(wait, timeProvider, cancellation);
                await Task.WhenAny(changed.Task, delay).ConfigureAwait(false);
                if (changed.Task.IsCompleted)
                    changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        finally
        {
            identities.BundleChanged -= OnChange;
            federation.BundleChanged -= OnChange;
        }
    }

    /// <summary>The bundle streams serve only callers entitled to some identity (§5.5 redaction).</summary>
    private async Task<IReadOnlyList<Selector>> AttestAsync(PeerCredentials peer, CancellationToken cancellationToken)
    {
        try
        {
            return await attestor.AttestAsync(peer, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkloadAttestationException e)
        {
            // Retryable: the attestor's source of truth (e.g. the kubelet) may be back in a moment.
            throw new RpcException(new Status(StatusCode.Unavailable, $"workload attestation failed: {e.Message}"));
        }
    }

    private async Task RequireEntitledAsync(PeerCredentials peer, CancellationToken cancellationToken)
    {
        var selectors = await AttestAsync(peer, cancellationToken).ConfigureAwait(false);
        if (!await Ask(() => identities.IsEntitledAsync(selectors, cancellationToken)).ConfigureAwait(false))
            throw new RpcException(new Status(StatusCode.PermissionDenied, "no identity issued"));
    }

    /// <summary>A provider that cannot answer now is Unavailable to the caller, who retries (a transient condition).</summary>
    private static async Task<T> Ask<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (IdentityProviderUnavailableException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }

    private static IReadOnlyList<T> Entitled<T>(IReadOnlyList<T> svids) =>
        svids.Count > 0 ? svids : throw new RpcException(new Status(StatusCode.PermissionDenied, "no identity issued"));

    private IEnumerable<SpiffeBundle> AllBundles() =>
        federation.Bundles.Where(b => b.TrustDomain != identities.TrustDomain).Prepend(identities.Bundle);

    private static ByteString Concatenate(IEnumerable<byte[]> ders) => ByteString.CopyFrom(ders.SelectMany(d => d).ToArray());

    private static void RequireSecurityHeader(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(SecurityHeader) != "true")
            throw new RpcException(new Status(StatusCode.InvalidArgument, "security header missing from request"));
    }

    /// <summary>The caller's pid, uid and gid from SO_PEERCRED on the accepted Unix socket.</summary>
    internal static PeerCredentials PeerOf(ServerCallContext context)
    {
        var socket = context.GetHttpContext().Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || socket.AddressFamily != AddressFamily.Unix || !OperatingSystem.IsLinux())
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the Workload API is served on a Unix socket only"));
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        socket.GetRawSocketOption(1 /* SOL_SOCKET */, 17 /* SO_PEERCRED */, ucred);
        var fields = MemoryMarshal.Cast<byte, int>(ucred);
        return new PeerCredentials(fields[0], (uint)fields[1], (uint)fields[2]);
    }
}
