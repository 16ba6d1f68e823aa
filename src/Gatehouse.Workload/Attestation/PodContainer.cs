using System.Text.RegularExpressions;

namespace Gatehouse.Workload.Attestation;

/// <summary>
/// The pod and container a process runs in, as the kubelet's cgroup layout names them in <c>/proc/PID/cgroup</c>.
/// </summary>
public readonly partial record struct PodContainer(string PodUid, string ContainerId)
{
    /// <summary>
    /// Reads the lines of <c>/proc/PID/cgroup</c> (<c>hierarchy-ID:controllers:path</c>, cgroup v1 and v2) and finds
    /// the pod UID and container ID in the paths the kubelet creates:
    /// <list type="bullet">
    /// <item>cgroupfs driver: <c>/kubepods/burstable/pod&lt;uid&gt;/&lt;container-id&gt;</c></item>
    /// <item>systemd driver: <c>/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod&lt;uid with _&gt;.slice/cri-containerd-&lt;id&gt;.scope</c>
    /// (also <c>crio-&lt;id&gt;.scope</c>, <c>docker-&lt;id&gt;.scope</c>; kind nests this under <c>kubelet.slice/kubelet-kubepods.slice</c>)</item>
    /// </list>
    /// Returns null for a process outside any pod's container (a host process, <c>0::/</c>, a pod-level cgroup such as
    /// CRI-O's <c>crio-conmon-&lt;id&gt;.scope</c> monitor): that is not an error, the process just has no pod.
    /// Throws <see cref="FormatException"/> when hierarchies disagree about the container, which no runtime does.
    /// </summary>
    public static PodContainer? FromCgroup(IEnumerable<string> lines)
    {
        PodContainer? found = null;
        foreach (var line in lines)
        {
            var fields = line.Split(':', 3);
            if (fields.Length != 3 || FromPath(fields[2]) is not { } here)
                continue;
            if (found is { } other && other != here)
                throw new FormatException($"The process's cgroups name two containers ({other.ContainerId} in pod {other.PodUid}, {here.ContainerId} in pod {here.PodUid}).");
            found = here;
        }
        return found;
    }

    private static PodContainer? FromPath(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // The container's cgroup is the pod's child. No "kubepods" ancestor is required: seen from inside a private
        // cgroup namespace (the default for containers on cgroup v2) the path starts with "/../.." and may not show it.
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var pod = PodSegment().Match(segments[i]);
            var container = ContainerSegment().Match(segments[i + 1]);
            if (pod.Success && container.Success)
                return new PodContainer(pod.Groups["uid"].Value.Replace('_', '-'), container.Groups["id"].Value);
        }
        return null;
    }

    /// <summary><c>pod&lt;uid&gt;</c> (cgroupfs) or <c>…-pod&lt;uid with _&gt;.slice</c> (systemd, which reserves '-').</summary>
    [GeneratedRegex("^(?:[a-z0-9-]*-)?pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\\.slice)?$")]
    private static partial Regex PodSegment();

    /// <summary>A 64-hex container ID, bare (cgroupfs) or as the runtime's systemd scope.</summary>
    [GeneratedRegex("^(?:(?:cri-containerd|crio|docker)-)?(?<id>[0-9a-f]{64})(?:\\.scope)?$")]
    private static partial Regex ContainerSegment();
}
