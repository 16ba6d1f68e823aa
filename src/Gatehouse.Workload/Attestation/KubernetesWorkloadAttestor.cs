using Gatehouse.Workload.Api;
using Gatehouse.Workload.Registration;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Workload.Attestation;

/// <summary>
/// The Kubernetes attestor: finds the caller's pod and container from <c>/proc/PID/cgroup</c>, then asks the kubelet
/// for that pod and produces <c>k8s:ns:…</c>, <c>k8s:sa:…</c> and one <c>k8s:pod-label:key:value</c> per label.
/// <list type="bullet">
/// <item>A process in no pod's container gets no selectors here (a host process is not an error).</item>
/// <item>A container the kubelet does not list yet is looked up again with a fresh pod list, a bounded number of
/// times; if it never shows, the caller gets no Kubernetes selectors (the pod UID in a cgroup path alone proves nothing).</item>
/// <item>When the kubelet cannot be asked (unreachable, refused, bad answer), attestation <b>fails</b>: the caller gets
/// an error, not a smaller set of selectors, like SPIRE's k8s attestor. Failing closed keeps one outage from silently
/// changing which entries a pod matches.</item>
/// </list>
/// </summary>
public sealed class KubernetesWorkloadAttestor(KubeletClient kubelet, KubeletOptions options, ILogger logger,
    TimeProvider? timeProvider = null, string procRoot = "/proc") : IWorkloadAttestor
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async ValueTask<IReadOnlyList<Selector>> AttestAsync(PeerCredentials peer, CancellationToken cancellationToken)
    {
        if (ContainerOf(peer.Pid) is not { } container)
            return [];
        for (var attempt = 1; ; attempt++)
        {
            KubeletPods pods;
            try
            {
                pods = await kubelet.GetPodsAsync(fresh: attempt > 1, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeletException e)
            {
                logger.LogWarning("Kubernetes attestation of pid {Pid} (pod {PodUid}) failed: {Reason}", peer.Pid, container.PodUid, e.Message);
                throw new WorkloadAttestationException("the kubelet could not be asked about the caller's pod", e);
            }
            if (pods.Find(container) is { } pod)
                return SelectorsOf(pod);
            if (attempt >= options.MaxPollAttempts)
            {
                logger.LogWarning("Container {ContainerId} of pod {PodUid} (pid {Pid}) is not in the kubelet's pod list after {Attempts} attempts; no Kubernetes selectors.",
                    container.ContainerId, container.PodUid, peer.Pid, attempt);
                return [];
            }
            await Task.Delay(options.PollRetryInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private PodContainer? ContainerOf(int pid)
    {
        if (pid <= 0)
        {
            // SO_PEERCRED reports pid 0 for a caller outside the agent's PID namespace: without hostPID no pod can be seen.
            logger.LogWarning("The caller's pid is not visible to the agent (is the agent in the host PID namespace?); no Kubernetes selectors.");
            return null;
        }
        try
        {
            return PodContainer.FromCgroup(File.ReadLines(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cgroup")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // The caller exited, or its cgroups make no sense: it cannot be placed in a pod.
            logger.LogWarning("Cannot read the cgroups of pid {Pid}: {Reason}", pid, e.Message);
            throw new WorkloadAttestationException("the caller's cgroups could not be read", e);
        }
    }

    private static Selector[] SelectorsOf(KubeletPod pod)
    {
        var selectors = new List<Selector> { Selector.K8sNamespace(pod.Namespace) };
        if (pod.ServiceAccount.Length > 0)
            selectors.Add(Selector.K8sServiceAccount(pod.ServiceAccount));
        selectors.AddRange(pod.Labels.Select(label => Selector.K8sPodLabel(label.Key, label.Value)));
        return [.. selectors];
    }
}
