using System.Formats.Asn1;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Workload.Api.Proto;
using Grpc.Core;
using Grpc.Net.Client;

namespace Gatehouse.Workload.Api;

/// <summary>A Workload API client over a Unix socket that sends the required security header on every call.</summary>
public sealed class WorkloadApiClient : IDisposable
{
    private static readonly Metadata SecurityHeaders = new() { { WorkloadApiService.SecurityHeader, "true" } };
    private readonly GrpcChannel _channel;

    public WorkloadApiClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
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
