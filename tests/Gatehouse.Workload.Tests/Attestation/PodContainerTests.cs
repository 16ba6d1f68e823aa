using Gatehouse.Workload.Attestation;

namespace Gatehouse.Workload.Tests.Attestation;

/// <summary>Finding the pod UID and container ID in <c>/proc/PID/cgroup</c>, for each layout the kubelet and runtimes produce.</summary>
public sealed class PodContainerTests
{
    private const string Uid = "2c48913c-b29f-11e7-9350-020968147796";
    private const string UidUnderscores = "2c48913c_b29f_11e7_9350_020968147796";
    private const string Id = "9bca8d63d5fa610783847915bcff0ecac1273e5b4bed3f6fa1b07350e0135961";

    public static TheoryData<string, string> PodLayouts() => new()
    {
        // cgroup v1, cgroupfs driver (Docker / containerd), QoS classes burstable, besteffort, guaranteed
        { "cgroup v1 cgroupfs burstable", $"12:memory:/kubepods/burstable/pod{Uid}/{Id}" },
        { "cgroup v1 cgroupfs besteffort", $"4:cpu,cpuacct:/kubepods/besteffort/pod{Uid}/{Id}" },
        { "cgroup v1 cgroupfs guaranteed", $"3:pids:/kubepods/pod{Uid}/{Id}" },
        // cgroup v2, systemd driver: pod UID with '_' in a slice, the container as the runtime's scope
        { "cgroup v2 systemd containerd", $"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{UidUnderscores}.slice/cri-containerd-{Id}.scope" },
        { "cgroup v2 systemd cri-o", $"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UidUnderscores}.slice/crio-{Id}.scope" },
        { "cgroup v2 systemd docker", $"0::/kubepods.slice/kubepods-pod{UidUnderscores}.slice/docker-{Id}.scope" },
        { "cgroup v1 systemd driver", $"11:devices:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UidUnderscores}.slice/cri-containerd-{Id}.scope" },
        // kind nests the kubelet's slices under kubelet.slice
        { "kind", $"0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod{UidUnderscores}.slice/cri-containerd-{Id}.scope" },
        // read from inside a private cgroup namespace: the path climbs out of the reader's root first
        { "private cgroup namespace", $"0::/../../kubepods-pod{UidUnderscores}.slice/cri-containerd-{Id}.scope" },
    };

    [Theory]
    [MemberData(nameof(PodLayouts))]
    public void FromCgroup_PodContainer_FindsPodUidAndContainerId(string layout, string line)
    {
        var found = PodContainer.FromCgroup(["1:name=systemd:/", line, "0::/"]);

        Assert.True(found is not null, layout);
        Assert.Equal(new PodContainer(Uid, Id), found);
    }

    [Fact]
    public void FromCgroup_AllHierarchiesOfOneContainer_Agree()
    {
        var v1 = Enumerable.Range(1, 11).Select(n => $"{n}:controller{n}:/kubepods/burstable/pod{Uid}/{Id}");

        Assert.Equal(new PodContainer(Uid, Id), PodContainer.FromCgroup([.. v1, "0::/"]));
    }

    public static TheoryData<string, string[]> NoPod() => new()
    {
        { "cgroup v2 root only", ["0::/"] },
        { "host process under systemd", ["0::/system.slice/sshd.service", "1:name=systemd:/system.slice/sshd.service"] },
        { "user session", ["0::/user.slice/user-1000.slice/session-3.scope"] },
        { "docker outside kubernetes", [$"0::/system.slice/docker-{Id}.scope"] },
        { "pod-level cgroup, no container", [$"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{UidUnderscores}.slice"] },
        { "cri-o's conmon monitor, not the workload", [$"0::/kubepods.slice/kubepods-pod{UidUnderscores}.slice/crio-conmon-{Id}.scope"] },
        { "short container id", [$"0::/kubepods/burstable/pod{Uid}/9bca8d63d5fa"] },
        { "pod uid not a uuid", [$"0::/kubepods/burstable/podnot-a-uid/{Id}"] },
        { "upper-case hex", [$"0::/kubepods/burstable/pod{Uid.ToUpperInvariant()}/{Id}"] },
        { "garbage", ["", "no colons", "::", "0:", "\0\0\0", $"pod{Uid}/{Id}"] },
        { "empty file", [] },
    };

    [Theory]
    [MemberData(nameof(NoPod))]
    public void FromCgroup_NotInAPodContainer_ReturnsNull(string why, string[] lines)
    {
        Assert.True(PodContainer.FromCgroup(lines) is null, why);
    }

    [Fact]
    public void FromCgroup_HierarchiesNameTwoContainers_Throws()
    {
        var other = new string('a', 64);

        var e = Assert.Throws<FormatException>(() => PodContainer.FromCgroup([$"4:memory:/kubepods/pod{Uid}/{Id}", $"0::/kubepods/pod{Uid}/{other}"]));

        Assert.Contains(other, e.Message);
    }
}
