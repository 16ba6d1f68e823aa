using System.Formats.Asn1;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Workload.Api.Proto;
using Grpc.Core;
using Grpc.Net.Client;

namespace Gatehouse.Workload.Api;

/// <summary>
/// A Workload API client over a Unix socket (or, where SPIFFE_ENDPOINT_SOCKET says so, TCP) that sends the required
/// security header on every call.
/// </summary>
public sealed class WorkloadApiClient : IDisposable
{
    private static readonly Metadata SecurityHeaders = new() { { WorkloadApiService.SecurityHeader, "true" } };
    private readonly GrpcChannel _channel;

    public WorkloadApiClient(string socketPath) : this(WorkloadEndpointAddress.Unix(socketPath))
    {
    }

    public WorkloadApiClient(WorkloadEndpointAddress address)
    {
        Address = address;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = address.SocketPath is not null
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(address.TcpEndPoint!.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(address.EndPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
        Raw = new SpiffeWorkloadAPI.SpiffeWorkloadAPIClient(_channel);
    }

    /// <summary>A client for the address in <c>SPIFFE_ENDPOINT_SOCKET</c> (SPIFFE_Workload_Endpoint §4).</summary>
    public static WorkloadApiClient FromEnvironment() => new(WorkloadEndpointAddress.FromEnvironment());

    public WorkloadEndpointAddress Address { get; }

    /// <summary>The generated client, for calls that need other headers (or none).</summary>
    public SpiffeWorkloadAPI.SpiffeWorkloadAPIClient Raw { get; }

    public async Task<IReadOnlyList<JWTSVID>> FetchJwtSvidsAsync(IEnumerable<string> audiences, string? spiffeId = null, CancellationToken cancellationToken = default)
    {
        var request = new JWTSVIDRequest { SpiffeId = spiffeId ?? "" };
        request.Audience.AddRange(audiences);
        var response = await Raw.FetchJWTSVIDAsync(request, SecurityHeaders, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Svids;
    }

    public async Task<ValidateJWTSVIDResponse> ValidateJwtSvidAsync(string svid, string audience, CancellationToken cancellationToken = default) =>
        await Raw.ValidateJWTSVIDAsync(new ValidateJWTSVIDRequest { Svid = svid, Audience = audience }, SecurityHeaders, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The FetchX509SVID stream (§5.3): the agent sends the full set of SVIDs now and again on every change. Ends when
    /// the agent ends the stream; a broken stream or a denial surfaces as <see cref="RpcException"/>.
    /// </summary>
    public async IAsyncEnumerable<X509SVIDResponse> WatchX509SvidsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = Raw.FetchX509SVID(new X509SVIDRequest(), SecurityHeaders, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            yield return call.ResponseStream.Current;
    }

    /// <summary>The security header every Workload API call must carry (SPIFFE_Workload_Endpoint).</summary>
    public static Metadata Headers => new() { { WorkloadApiService.SecurityHeader, "true" } };

    /// <summary>Splits the concatenated DER certificates of an X509SVID or bundle field.</summary>
    public static IReadOnlyList<X509Certificate2> ParseCertificates(ReadOnlyMemory<byte> der)
    {
        var certificates = new List<X509Certificate2>();
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        while (reader.HasData)
            certificates.Add(X509CertificateLoader.LoadCertificate(reader.ReadEncodedValue().Span));
        return certificates;
    }

    public void Dispose() => _channel.Dispose();
}
