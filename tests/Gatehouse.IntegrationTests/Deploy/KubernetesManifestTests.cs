using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Registration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Gatehouse.IntegrationTests.Deploy;

/// <summary>
/// deploy/k8s rendered with kustomize (kubectl, offline) and checked without a cluster: every object well formed,
/// and the agent, the sample workload and the CLI agreeing on socket paths, options, ports, RBAC and entries.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly Lazy<Task<IReadOnlyList<JsonObject>>> Rendered = new(RenderAsync);

    private static async Task<IReadOnlyList<JsonObject>> RenderAsync()
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(Path.Combine(GatehouseBinary.RepositoryRoot, "deploy", "k8s"));
        using var kubectl = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = kubectl.StandardOutput.ReadToEndAsync();
        var stderr = kubectl.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await kubectl.WaitForExitAsync(timeout.Token);
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize failed: {await stderr}");

        var documents = new List<JsonObject>();
        var parser = new Parser(new StringReader(await stdout));
        var deserializer = new DeserializerBuilder().Build();
        var toJson = new SerializerBuilder().JsonCompatible().Build();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
            documents.Add(JsonNode.Parse(toJson.Serialize(deserializer.Deserialize(parser)))!.AsObject());
        return documents;
    }

    private static async Task<JsonObject> OneAsync(string kind, string name) =>
        Assert.Single(await Rendered.Value, d => (string?)d["kind"] == kind && (string?)d["metadata"]?["name"] == name);

    private static JsonObject Container(JsonObject workload, string name) =>
        Assert.Single(((JsonArray?)workload["spec"]!["template"]!["spec"]!["containers"] ?? []).Concat((JsonArray?)workload["spec"]!["template"]!["spec"]!["initContainers"] ?? []),
            c => (string?)c!["name"] == name)!.AsObject();

    private static string[] Args(JsonObject container) => [.. container["args"]!.AsArray().Select(a => (string)a!)];

    private static string ArgValue(string[] args, string option) => args[Array.IndexOf(args, option) + 1];

    /// <summary>Where <paramref name="path"/> lands: the volume mounted at the longest mountPath that contains it.</summary>
    private static JsonObject VolumeOf(JsonObject workload, JsonObject container, string path)
    {
        var mount = container["volumeMounts"]!.AsArray().Select(m => m!.AsObject())
            .Where(m => path.StartsWith((string)m["mountPath"]! + "/", StringComparison.Ordinal))
            .MaxBy(m => ((string)m["mountPath"]!).Length);
        Assert.True(mount is not null, $"{path} is on no volume of {container["name"]}");
        return Assert.Single(workload["spec"]!["template"]!["spec"]!["volumes"]!.AsArray(), v => (string?)v!["name"] == (string?)mount!["name"])!.AsObject();
    }

    [Fact]
    public async Task Render_EveryObjectWellFormed()
    {
        var documents = await Rendered.Value;

        Assert.Equal(["ClusterRole/gatehouse-agent", "ClusterRoleBinding/gatehouse-agent", "ConfigMap/gatehouse-agent-entries", "DaemonSet/gatehouse-agent",
                "Deployment/billing", "Namespace/demo", "Namespace/gatehouse-system", "ServiceAccount/billing", "ServiceAccount/gatehouse-agent"],
            // configMapGenerator appends a hash of the content to the ConfigMap's name.
            documents.Select(d => $"{d["kind"]}/{Regex.Replace((string)d["metadata"]!["name"]!, "^(gatehouse-agent-entries)-[a-z0-9]+$", "$1")}").Order());
        foreach (var d in documents)
            Assert.False(string.IsNullOrEmpty((string?)d["apiVersion"]), $"{d["kind"]} has no apiVersion");
        foreach (var workload in documents.Where(d => (string?)d["kind"] is "DaemonSet" or "Deployment"))
        {
            var selector = workload["spec"]!["selector"]!["matchLabels"]!.AsObject();
            var labels = workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            Assert.All(selector, pair => Assert.Equal((string?)pair.Value, (string?)labels[pair.Key]));
            Assert.NotEmpty(selector);
        }
    }

    [Fact]
    public async Task Agent_ReadsTheKubeletWithTheRoleItIsBound()
    {
        var agent = await OneAsync("DaemonSet", "gatehouse-agent");
        var role = await OneAsync("ClusterRole", "gatehouse-agent");
        var binding = await OneAsync("ClusterRoleBinding", "gatehouse-agent");
        var rule = Assert.Single(role["rules"]!.AsArray())!;

        Assert.Equal(["nodes/proxy"], rule["resources"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(["get"], rule["verbs"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("gatehouse-agent", (string?)binding["roleRef"]!["name"]);
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal((string?)agent["spec"]!["template"]!["spec"]!["serviceAccountName"], (string?)subject["name"]);
        Assert.Equal((string?)agent["metadata"]!["namespace"], (string?)subject["namespace"]);
        Assert.Equal("true", (string?)agent["spec"]!["template"]!["spec"]!["hostPID"]);
        var args = Args(Container(agent, "agent"));
        Assert.Equal("https://$(HOST_IP):10250", ArgValue(args, "--kubelet-url"));
        Assert.Contains(Container(agent, "agent")["env"]!.AsArray(), e => (string?)e!["name"] == "HOST_IP" && (string?)e["valueFrom"]!["fieldRef"]!["fieldPath"] == "status.hostIP");
    }

    [Fact]
    public async Task AgentAndWorkload_ShareTheSocketDirectory()
    {
        var agent = await OneAsync("DaemonSet", "gatehouse-agent");
        var billing = await OneAsync("Deployment", "billing");
        var agentContainer = Container(agent, "agent");
        var helper = Container(billing, "svid-helper");

        var socket = ArgValue(Args(agentContainer), "--socket");
        var address = ArgValue(Args(helper), "--agent-address");
        var agentSide = VolumeOf(agent, agentContainer, socket)["hostPath"]!["path"]!.GetValue<string>();
        var workloadSide = VolumeOf(billing, helper, address["unix://".Length..])["hostPath"]!["path"]!.GetValue<string>();

        Assert.StartsWith("unix:///", address);
        Assert.Equal(agentSide, workloadSide);
        // Same file name below the same host directory.
        Assert.Equal(Path.GetRelativePath(MountPathOf(agentContainer, socket), socket), Path.GetRelativePath(MountPathOf(helper, address["unix://".Length..]), address["unix://".Length..]));
    }

    private static string MountPathOf(JsonObject container, string path) =>
        container["volumeMounts"]!.AsArray().Select(m => (string)m!["mountPath"]!).Where(p => path.StartsWith(p + "/", StringComparison.Ordinal)).MaxBy(p => p.Length)!;

    [Fact]
    public async Task Workload_HelperWritesWhereTheAppReads()
    {
        var billing = await OneAsync("Deployment", "billing");
        var helper = Container(billing, "svid-helper");
        var app = Container(billing, "app");
        var certDir = ArgValue(Args(helper), "--cert-dir");

        var helperVolume = VolumeOf(billing, helper, certDir + "/svid.pem");
        var appVolume = VolumeOf(billing, app, certDir + "/svid.pem");

        Assert.Equal((string?)helperVolume["name"], (string?)appVolume["name"]);
        Assert.NotNull(helperVolume["emptyDir"]);
        Assert.Equal("Always", (string?)helper["restartPolicy"]); // a native sidecar
    }

    [Fact]
    public async Task Entries_ParseAndMatchTheSampleWorkload()
    {
        var agent = await OneAsync("DaemonSet", "gatehouse-agent");
        var billing = await OneAsync("Deployment", "billing");
        var args = Args(Container(agent, "agent"));
        var entriesPath = ArgValue(args, "--entries");
        var volume = VolumeOf(agent, Container(agent, "agent"), entriesPath);
        var configMap = Assert.Single(await Rendered.Value, d => (string?)d["kind"] == "ConfigMap" && (string?)d["metadata"]!["name"] == (string?)volume["configMap"]!["name"]);
        var json = (string?)configMap["data"]![Path.GetFileName(entriesPath)];
        Assert.NotNull(json);

        var entries = RegistrationEntryFile.Parse(json, TrustDomain.Parse(ArgValue(args, "--trust-domain")));

        var pod = billing["spec"]!["template"]!;
        Selector[] podSelectors =
        [
            Selector.K8sNamespace((string)billing["metadata"]!["namespace"]!),
            Selector.K8sServiceAccount((string)pod["spec"]!["serviceAccountName"]!),
            .. pod["metadata"]!["labels"]!.AsObject().Select(l => Selector.K8sPodLabel(l.Key, (string)l.Value!)),
        ];
        Assert.Equal(["spiffe://example.org/ns/demo/sa/billing"], RegistrationEntryMatcher.Match(entries, podSelectors).Select(e => e.SpiffeId.ToString()));
    }

    [Theory]
    [InlineData("DaemonSet", "gatehouse-agent", "agent")]
    [InlineData("Deployment", "billing", "svid-helper")]
    public async Task Args_AreOptionsTheCommandKnows(string kind, string name, string container)
    {
        var args = Args(Container(await OneAsync(kind, name), container));
        var help = await GatehouseProcess.RunAsync([args[0], args[1], "--help"]);

        Assert.Equal(0, help.ExitCode);
        foreach (var option in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
            Assert.Matches($@"(^|\s){option}(\s|,|$)", help.Stdout);
        Assert.Equal("gatehouse", (string?)Container(await OneAsync(kind, name), container)["image"]!.GetValue<string>().Split(':')[0]);
    }
}
