using System.CommandLine;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Attestation;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Cli;

internal static partial class WorkloadCommand
{
    /// <summary><c>workload agent --kubernetes</c>: the Kubernetes attestor next to the Unix one.</summary>
    private sealed class KubernetesAttestationOptions
    {
        private readonly Option<bool> _kubernetes = new("--kubernetes")
        {
            Description = "Also attest callers as Kubernetes pods (k8s:ns, k8s:sa, k8s:pod-label selectors) from their cgroup and the node's kubelet.",
        };
        private readonly Option<string?> _url = new("--kubelet-url")
        {
            Description = $"The kubelet's secure port, e.g. https://10.0.0.12:{KubeletOptions.SecurePort} (default https://$NODE_NAME:{KubeletOptions.SecurePort}).",
        };
        private readonly Option<FileInfo?> _token = new("--kubelet-token-file")
        {
            Description = $"Bearer token for the kubelet, re-read at every request (default {KubeletOptions.ServiceAccountTokenFile}); its service account needs get on nodes/proxy.",
        };
        private readonly Option<FileInfo?> _ca = new("--kubelet-ca")
        {
            Description = $"PEM CA that issues the kubelet's serving certificate (default {KubeletOptions.ServiceAccountCaFile}).",
        };
        private readonly Option<bool> _skipVerification = new("--skip-kubelet-verification")
        {
            Description = "Accept any kubelet certificate (clusters whose kubelets serve a self-signed certificate, e.g. kind). Not for production.",
        };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _kubernetes, _url, _token, _ca, _skipVerification })
                command.Options.Add(option);
        }

        /// <summary>The agent's attestor: Unix, plus Kubernetes with <c>--kubernetes</c> (the caller gets both sets of selectors).</summary>
        public IWorkloadAttestor CreateAttestor(ParseResult parse, ILoggerFactory loggers, List<IDisposable> resources)
        {
            var url = parse.GetValue(_url);
            var token = parse.GetValue(_token);
            var ca = parse.GetValue(_ca);
            var skip = parse.GetValue(_skipVerification);
            if (!parse.GetValue(_kubernetes))
            {
                return url is null && token is null && ca is null && !skip ? new UnixWorkloadAttestor()
                    : throw new WorkloadCliException("--kubelet-url, --kubelet-token-file, --kubelet-ca and --skip-kubelet-verification need --kubernetes. Fix: add --kubernetes.");
            }
            if (url is null)
            {
                var node = Environment.GetEnvironmentVariable("NODE_NAME");
                if (string.IsNullOrEmpty(node))
                    throw new WorkloadCliException($"--kubernetes needs the kubelet's address. Fix: pass --kubelet-url https://NODE_IP:{KubeletOptions.SecurePort}, or set NODE_NAME (from the pod's spec.nodeName).");
                url = $"https://{node}:{KubeletOptions.SecurePort}";
            }
            if (!Uri.TryCreate(url, UriKind.Absolute, out var kubeletUrl))
                throw new WorkloadCliException($"--kubelet-url '{url}' is not a URL. Fix: pass e.g. https://10.0.0.12:{KubeletOptions.SecurePort}.");
            var options = new KubeletOptions
            {
                Url = kubeletUrl,
                TokenFile = token?.FullName ?? KubeletOptions.ServiceAccountTokenFile,
                CaFile = ca?.FullName ?? KubeletOptions.ServiceAccountCaFile,
                SkipVerification = skip,
            };
            if (!File.Exists(options.TokenFile))
                throw new WorkloadCliException($"Kubelet token file not found: {options.TokenFile}. Fix: run the agent with a service account token mounted, or pass --kubelet-token-file.");
            if (!skip && !File.Exists(options.CaFile))
                throw new WorkloadCliException($"Kubelet CA file not found: {options.CaFile}. Fix: pass --kubelet-ca with the CA of the kubelets' serving certificates.");
            KubeletClient kubelet;
            try
            {
                kubelet = new KubeletClient(options);
            }
            catch (Exception e) when (e is ArgumentException or KubeletException)
            {
                throw new WorkloadCliException($"{e.Message} Fix: check --kubelet-url and --kubelet-ca.");
            }
            resources.Add(kubelet);
            var logger = loggers.CreateLogger("gatehouse.workload.attestation.kubernetes");
            if (skip)
                logger.LogWarning("Kubelet certificate verification is off (--skip-kubelet-verification): whoever can intercept traffic to {Url} decides callers' pods.", kubeletUrl);
            return new CompositeWorkloadAttestor(new UnixWorkloadAttestor(), new KubernetesWorkloadAttestor(kubelet, options, logger));
        }
    }
}
