using System.CommandLine;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Federation;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Cli;

internal static partial class WorkloadCommand
{
    /// <summary><c>workload agent --federate-with</c>: poll foreign trust domains' bundle endpoints.</summary>
    private sealed class FederationOptions
    {
        private readonly Option<string[]> _federateWith = new("--federate-with")
        {
            Description = "Trust another trust domain, polling its bundle endpoint: TD=URL (https_web: Web PKI) or TD=URL,ENDPOINT_SPIFFE_ID,BUNDLE_FILE "
                + "(https_spiffe: the endpoint's X.509-SVID is checked against BUNDLE_FILE, that domain's SPIFFE bundle obtained out of band, then against each bundle fetched). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };

        public void AddTo(Command command) => command.Options.Add(_federateWith);

        /// <summary>The poller for the configured relationships, or null when there are none.</summary>
        public FederatedBundlePoller? CreatePoller(ParseResult parse, TrustDomain ours, WorkloadApiFederation federation, ILoggerFactory loggers)
        {
            var relationships = new List<FederationRelationship>();
            foreach (var value in parse.GetValue(_federateWith) ?? [])
            {
                var relationship = Parse(value, ours);
                if (relationships.Any(r => r.TrustDomain == relationship.TrustDomain))
                    throw new WorkloadCliException($"--federate-with names {relationship.TrustDomain} twice. Fix: keep one.");
                relationships.Add(relationship);
            }
            return relationships.Count == 0 ? null
                : new FederatedBundlePoller(relationships, federation, loggers.CreateLogger("gatehouse.workload.federation"));
        }

        private static FederationRelationship Parse(string value, TrustDomain ours)
        {
            var fix = "Fix: pass TD=https://HOST:PORT/ or TD=https://HOST:PORT/,spiffe://TD/bundle-endpoint,BUNDLE_FILE.";
            var eq = value.IndexOf('=');
            var parts = eq < 0 ? [] : value[(eq + 1)..].Split(',');
            if (eq <= 0 || parts.Length is not (1 or 3))
                throw new WorkloadCliException($"--federate-with '{value}' is not TD=URL[,ENDPOINT_SPIFFE_ID,BUNDLE_FILE]. {fix}");
            if (!TrustDomain.TryParse(value[..eq], out var trustDomain, out var error))
                throw new WorkloadCliException($"--federate-with '{value}': '{value[..eq]}' is not a trust domain name ({error}). {fix}");
            if (trustDomain == ours)
                throw new WorkloadCliException($"--federate-with '{value}': {ours} is this agent's own trust domain. Fix: name another trust domain.");
            if (!Uri.TryCreate(parts[0], UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
                throw new WorkloadCliException($"--federate-with '{value}': the bundle endpoint URL '{parts[0]}' must be https (SPIFFE bundle endpoint §5.2). {fix}");
            if (parts.Length == 1)
                return new FederationRelationship(trustDomain!, url);

            if (!SpiffeId.TryParse(parts[1], out var endpointId, out var idError) || endpointId!.TrustDomain != trustDomain)
                throw new WorkloadCliException($"--federate-with '{value}': '{parts[1]}' must be the endpoint's SPIFFE ID in {trustDomain}{(idError == SpiffeIdError.None ? "" : $" ({idError})")}. {fix}");
            SpiffeBundle bundle;
            try
            {
                bundle = SpiffeBundle.Parse(trustDomain!, File.ReadAllText(parts[2]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BundleFormatException)
            {
                throw new WorkloadCliException($"--federate-with '{value}': cannot read {trustDomain}'s bundle from '{parts[2]}': {e.Message} Fix: pass a SPIFFE bundle (JWK Set) of {trustDomain}.");
            }
            return new FederationRelationship(trustDomain!, url, endpointId, bundle);
        }
    }
}
