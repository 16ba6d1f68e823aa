using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Registration;
using Gatehouse.Workload.X509;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Workload.Server;

/// <summary>
/// The agent's side of <c>gatehouse workload server</c>: joins with a join token, then calls the server over mutual TLS
/// with its agent X.509-SVID, renewed at half its life (<see cref="RunAsync"/>), and follows the bundle. The server
/// is accepted only with an X.509-SVID for <see cref="WorkloadServerIds.Server"/> that chains to the bundle held: the
/// bootstrap bundle at first, then the latest one received.
/// </summary>
public sealed class WorkloadServerClient : IWorkloadIdentityProvider, IAsyncDisposable
{
    private readonly Uri _server;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly X509SvidValidator _validator;
    private readonly Lock _lock = new();
    private SpiffeBundle _bundle;
    private X509SvidCredential? _agentSvid;
    private HttpClient _http;
    private HttpClient? _previousHttp;

    private WorkloadServerClient(Uri server, SpiffeBundle bootstrapBundle, TimeProvider time, ILogger log)
    {
        _server = server;
        _time = time;
        _log = log;
        _validator = new X509SvidValidator(time);
        _bundle = bootstrapBundle;
        _http = NewHttpClient(agentSvid: null);
    }

    /// <summary>Redeems <paramref name="joinToken"/> for this agent's first agent SVID.</summary>
    /// <exception cref="WorkloadServerException">The server refused the token or answered something else than an agent SVID.</exception>
    public static async Task<WorkloadServerClient> JoinAsync(Uri server, string joinToken, SpiffeBundle bootstrapBundle, TimeProvider? timeProvider = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var client = new WorkloadServerClient(server, bootstrapBundle, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance);
        try
        {
            await client.ObtainAgentSvidAsync(WorkloadServerHost.JoinPath, key => new JoinRequest(joinToken, key), cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public TrustDomain TrustDomain => _bundle.TrustDomain;

    public SpiffeBundle Bundle
    {
        get { lock (_lock) return _bundle; }
    }

    public event Action<SpiffeBundle>? BundleChanged;

    /// <summary>This agent's SPIFFE ID, as the server issued it.</summary>
    public SpiffeId AgentId
    {
        get { lock (_lock) return _agentSvid!.Id; }
    }

    /// <summary>How often to ask for the bundle between X.509-SVID fetches (which carry it too).</summary>
    public TimeSpan BundlePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Renews the agent SVID at half its life and polls the bundle, until cancelled; failures are logged and retried.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(BundlePollInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (_time.GetUtcNow() >= RenewAt())
                        await ObtainAgentSvidAsync(WorkloadServerHost.RenewPath, key => new RenewRequest(key), cancellationToken).ConfigureAwait(false);
                    var json = await _http.GetStringAsync(new Uri(_server, WorkloadServerHost.BundlePath), cancellationToken).ConfigureAwait(false);
                    UpdateBundle(json);
                }
                catch (Exception e) when (e is HttpRequestException or IdentityProviderUnavailableException or WorkloadServerException or BundleFormatException)
                {
                    _log.LogWarning("The workload server at {Server} could not be reached or refused: {Error}. Retrying.", _server, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async Task<bool> IsEntitledAsync(IReadOnlyList<Selector> selectors, CancellationToken cancellationToken)
    {
        var response = await PostAsync<EntitledResponse>(WorkloadServerHost.EntitledPath, new EntitledRequest(Strings(selectors)), cancellationToken).ConfigureAwait(false);
        return response.Entitled;
    }

    public async Task<IReadOnlyList<X509Svid>> FetchX509SvidsAsync(IReadOnlyList<Selector> selectors, CancellationToken cancellationToken)
    {
        // One key pair per fetch, made here; the server only ever sees its public half.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await PostAsync<X509SvidsResponse>(WorkloadServerHost.X509SvidsPath,
            new X509SvidsRequest(Strings(selectors), Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())), cancellationToken).ConfigureAwait(false);
        UpdateBundle(response.Bundle);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return response.Svids.Select(s => new X509Svid(SpiffeId.Parse(s.SpiffeId), Chain(s.Chain), ECDsa.Create(parameters))).ToArray();
    }

    public async Task<IReadOnlyList<JwtSvid>> FetchJwtSvidsAsync(IReadOnlyList<Selector> selectors, IReadOnlyCollection<string> audiences, SpiffeId? requested,
        CancellationToken cancellationToken)
    {
        var response = await PostAsync<JwtSvidsResponse>(WorkloadServerHost.JwtSvidsPath,
            new JwtSvidsRequest(Strings(selectors), audiences.ToArray(), requested?.ToString()), cancellationToken).ConfigureAwait(false);
        return response.Svids.Select(s => new JwtSvid(SpiffeId.Parse(s.SpiffeId), s.Token)).ToArray();
    }

    private async Task ObtainAgentSvidAsync(string path, Func<string, object> request, CancellationToken cancellationToken)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await PostAsync<AgentSvidResponse>(path, request(Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())), cancellationToken).ConfigureAwait(false);
        UpdateBundle(response.Bundle);
        var chain = Chain(response.Chain);
        var result = _validator.Validate(chain, Bundle);
        if (!result.IsValid || !WorkloadServerIds.IsAgent(result.Id!))
            throw new WorkloadServerException($"The server answered with an agent SVID that is not valid ({result.Error}, {result.Id}).");
        var svid = X509SvidCredential.FromPkcs8(chain, key.ExportPkcs8PrivateKey());
        HttpClient? retired;
        lock (_lock)
        {
            _agentSvid = svid;
            // Requests still running on the client before last finish long before the next renewal.
            retired = _previousHttp;
            _previousHttp = _http;
            _http = NewHttpClient(svid);
        }
        retired?.Dispose();
        _log.LogInformation("Agent SVID {AgentId} valid until {NotAfter:O}.", svid.Id, svid.NotAfter);
    }

    private DateTimeOffset RenewAt()
    {
        lock (_lock)
        {
            var notBefore = new DateTimeOffset(_agentSvid!.Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            return notBefore + (_agentSvid.NotAfter - notBefore) / 2;
        }
    }

    private async Task<T> PostAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        HttpClient http;
        lock (_lock)
            http = _http;
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(new Uri(_server, path), body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new IdentityProviderUnavailableException($"The workload server at {_server} is unreachable: {e.Message}", e);
        }
        using var _ = response;
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new WorkloadServerException($"The workload server refused {path}: {(int)response.StatusCode} {error}");
        }
        return await response.Content.ReadFromJsonAsync<T>(cancellationToken).ConfigureAwait(false)
            ?? throw new WorkloadServerException($"The workload server answered {path} with an empty body.");
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<AgentError>(cancellationToken).ConfigureAwait(false) is { } e ? $"{e.Error}: {e.Description}" : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }

    private void UpdateBundle(string json)
    {
        var bundle = SpiffeBundle.Parse(TrustDomain, json);
        lock (_lock)
        {
            if (bundle.SequenceNumber == _bundle.SequenceNumber && bundle.ToJson() == _bundle.ToJson())
                return;
            _bundle = bundle;
        }
        BundleChanged?.Invoke(bundle);
    }

    private HttpClient NewHttpClient(X509SvidCredential? agentSvid)
    {
        var serverId = WorkloadServerIds.Server(TrustDomain);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = agentSvid?.TlsContext,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // The SPIFFE ID, not the host name, authenticates the server.
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    SpiffePeerValidation.Validate(certificate, chain, new SpiffeBundleSet(Bundle), _validator) is { IsValid: true } result && result.Id == serverId,
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static string[] Strings(IReadOnlyList<Selector> selectors) => selectors.Select(s => s.ToString()).ToArray();

    private static X509Certificate2[] Chain(string[] der) => der.Select(d => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(d))).ToArray();

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _http.Dispose();
            _previousHttp?.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>The workload server refused a call or answered something unusable.</summary>
public sealed class WorkloadServerException(string message) : Exception(message);
