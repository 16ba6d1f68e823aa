using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Api;
using Gatehouse.Workload.Tests.Attestation;
using Grpc.Core;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary>
/// <c>gatehouse workload agent --kubernetes</c> end to end: a real child process placed in a cgroup shaped like a
/// Kubernetes container's, a fake kubelet that lists that container in a pod, and the real agent and helper.
/// </summary>
public sealed class WorkloadAgentKubernetesTests
{
    private const string PodUid = "6bd2a4d3-a55a-4450-b6fd-2a7ecc72c0de";
    private static readonly string ContainerId = new('e', 64);

    [CgroupV2Fact]
    public async Task Agent_ChildInAPodCgroup_GetsTheSvidOfItsK8sEntry()
    {
        using var work = new TempDirectory();
        await using var kubelet = await FakeKubelet.StartAsync(work.Path);
        kubelet.Serve(FakeKubelet.Pod(PodUid, "prod", "billing-7d4b9", "billing", new Dictionary<string, string> { ["app"] = "billing" }, ContainerId));
        await File.WriteAllTextAsync(work.Combine("entries.json"), """
            { "entries": [ { "spiffe_id": "spiffe://example.org/billing", "selectors": ["k8s:ns:prod", "k8s:sa:billing", "k8s:pod-label:app:billing"] } ] }
            """);
        var socket = work.Combine("agent.sock");
        await using var agent = GatehouseProcess.Start(["workload", "agent", "--socket", socket, "--trust-domain", "example.org",
            "--entries", work.Combine("entries.json"), "--kubernetes", "--kubelet-url", kubelet.Url.ToString(),
            "--kubelet-token-file", kubelet.TokenFile, "--kubelet-ca", kubelet.CaFile], work.Path);
        await agent.WaitForStdoutAsync("Workload API:", GatehouseProcess.DefaultStartTimeout);

        // This test process is in no pod: it matches no entry.
        using (var client = new WorkloadApiClient(socket))
        {
            var denied = await Assert.ThrowsAsync<RpcException>(() => client.FetchJwtSvidsAsync(["api"]));
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        }

        var cgroup = CgroupV2Fact.Root!.CreateSubdirectory(
            $"gatehouse-test-{Guid.NewGuid():N}/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{PodUid.Replace('-', '_')}.slice/cri-containerd-{ContainerId}.scope");
        try
        {
            // The child moves itself into the container's cgroup, then becomes the helper, which fetches an SVID once.
            var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("echo $$ > \"$1\" && exec \"$2\" \"$3\" workload helper --once --agent-address \"unix://$4\" --cert-dir \"$5\"");
            foreach (var arg in new[] { "sh", Path.Combine(cgroup.FullName, "cgroup.procs"), GatehouseBinary.DotnetHost, GatehouseBinary.Dll, socket, work.Combine("certs") })
                info.ArgumentList.Add(arg);
            using var child = Process.Start(info)!;
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(GatehouseProcess.DefaultCommandTimeout);
            try
            {
                await child.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!child.HasExited)
                    child.Kill(entireProcessTree: true);
            }
            Assert.True(child.ExitCode == 0, $"helper exited {child.ExitCode}: {await stdout}{await stderr}\nagent: {agent.Describe()}");

            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(work.Combine("certs", "svid.pem"));
            Assert.Equal(["spiffe://example.org/billing"], SubjectAltNames.Read(chain[0]).Uris);
            Assert.Equal(["Bearer " + FakeKubelet.Token], kubelet.Authorizations.Distinct());
        }
        finally
        {
            // Empty cgroups are removed leaf first (the child has exited).
            for (var dir = cgroup; dir is not null && dir.FullName != CgroupV2Fact.Root.FullName; dir = dir.Parent)
                dir.Delete();
        }
    }

    [Theory]
    [InlineData("--kubelet-url https://127.0.0.1:10250", "need --kubernetes")]
    [InlineData("--skip-kubelet-verification", "need --kubernetes")]
    [InlineData("--kubernetes", "Fix: pass --kubelet-url")]
    [InlineData("--kubernetes --kubelet-url http://127.0.0.1:10255 --kubelet-token-file /etc/hostname --skip-kubelet-verification", "must be https://HOST:PORT")]
    [InlineData("--kubernetes --kubelet-url https://127.0.0.1:10250 --kubelet-token-file /nonexistent/token", "Kubelet token file not found")]
    [InlineData("--kubernetes --kubelet-url https://127.0.0.1:10250 --kubelet-token-file /etc/hostname --kubelet-ca /nonexistent/ca.crt", "Kubelet CA file not found")]
    [InlineData("--kubernetes --kubelet-url https://127.0.0.1:10250 --kubelet-token-file /etc/hostname --kubelet-ca /etc/hostname", "holds no certificate")]
    public async Task Agent_BadKubernetesOptions_ConfigurationError(string options, string message)
    {
        using var work = new TempDirectory();

        var result = await GatehouseProcess.RunAsync(["workload", "agent", "--socket", work.Combine("agent.sock"), "--trust-domain", "example.org", .. options.Split(' ')],
            environment: new Dictionary<string, string?> { ["NODE_NAME"] = null });

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}, expected 2 (configuration error): {result.Description}");
        Assert.Contains(message, result.Stderr);
    }

    /// <summary>Runs only where this process may create cgroup v2 directories and move processes into them (root, cgroup2 mounted).</summary>
    private sealed class CgroupV2FactAttribute : FactAttribute
    {
        public CgroupV2FactAttribute()
        {
            if (CgroupV2Fact.Root is null)
                Skip = "needs a writable cgroup v2 hierarchy (root; /sys/fs/cgroup or /sys/fs/cgroup/unified mounted as cgroup2)";
        }
    }

    private static class CgroupV2Fact
    {
        /// <summary>The cgroup2 mount (unified or hybrid layout), if this process can write to it.</summary>
        public static readonly DirectoryInfo? Root = Find();

        private static DirectoryInfo? Find()
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
                return null;
            var mount = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];
            if (mount is null || !File.Exists(Path.Combine(mount, "cgroup.procs")))
                return null;
            try
            {
                var probe = Directory.CreateDirectory(Path.Combine(mount, $"gatehouse-probe-{Guid.NewGuid():N}"));
                probe.Delete();
                return new DirectoryInfo(mount);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
