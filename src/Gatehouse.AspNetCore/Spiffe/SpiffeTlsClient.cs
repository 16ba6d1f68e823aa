using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.AspNetCore.Spiffe;

/// <summary>
/// The client half of SPIFFE mTLS for any SslStream user (HttpClient, Npgsql, …): present the source's current
/// X.509-SVID and accept the server only if its certificate is a valid X.509-SVID (X509-SVID §5, against the bundle
/// of the server's own trust domain) whose SPIFFE ID <paramref name="authorizeServer"/> approves. The host name
/// plays no part. For Npgsql: <c>dataSourceBuilder.UseSslClientAuthenticationOptionsCallback(tls.Configure)</c>,
/// called for every new physical connection, so connections opened after a rotation present the new SVID.
/// </summary>
public sealed class SpiffeTlsClient(IX509Source source, Func<SpiffeId, bool> authorizeServer, TimeProvider? timeProvider = null, ILogger? logger = null)
{
    private readonly X509SvidValidator _validator = new(timeProvider ?? TimeProvider.System);
    private readonly ILogger _log = logger ?? NullLogger.Instance;

    /// <summary>A client that accepts exactly one server SPIFFE ID.</summary>
    public SpiffeTlsClient(IX509Source source, SpiffeId server, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(source, id => id == server, timeProvider, logger)
    {
    }

    public IX509Source Source => source;

    /// <summary>Sets the client certificate (the current SVID), protocols and the server check on <paramref name="options"/>.</summary>
    public void Configure(SslClientAuthenticationOptions options) => Configure(options, source.Svid);

    internal void Configure(SslClientAuthenticationOptions options, X509SvidCredential svid)
    {
        options.ClientCertificateContext = svid.TlsContext;
        options.ClientCertificates = null;
        options.LocalCertificateSelectionCallback = null;
        options.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        options.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;
        options.RemoteCertificateValidationCallback = ValidateServer;
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var result = SpiffePeerValidation.Validate(certificate, chain, source.Bundles, _validator);
        if (!result.IsValid)
            _log.LogWarning("Refused the server's X.509-SVID: {Error} ({SpiffeId}).", result.Error, result.Id?.ToString() ?? "no SPIFFE ID");
        else if (!authorizeServer(result.Id!))
            _log.LogWarning("Refused the server {SpiffeId}: not an expected server identity.", result.Id);
        else
            return true;
        return false;
    }
}
