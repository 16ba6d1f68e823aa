using System.Collections.Immutable;
using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Gatehouse.Workload.Attestation;

/// <summary>What the attestor needs of one pod from the kubelet's <c>/pods</c> (a core/v1 PodList).</summary>
public sealed record KubeletPod(string Uid, string Namespace, string Name, string ServiceAccount,
    ImmutableSortedDictionary<string, string> Labels, ImmutableHashSet<string> ContainerIds);

/// <summary>The node's pods. Immutable, so the cache hands out the same instance instead of a copy.</summary>
[ImmutableObject(true)]
public sealed class KubeletPods(ImmutableArray<KubeletPod> pods)
{
    public ImmutableArray<KubeletPod> Pods { get; } = pods;

    /// <summary>The pod with this UID whose container statuses list this container (running or not).</summary>
    public KubeletPod? Find(PodContainer container) =>
        Pods.FirstOrDefault(p => p.Uid == container.PodUid && p.ContainerIds.Contains(container.ContainerId));

    internal static KubeletPods From(PodListDocument document) => new([.. (document.Items ?? []).Select(item => new KubeletPod(
        item.Metadata?.Uid ?? "",
        item.Metadata?.Namespace ?? "",
        item.Metadata?.Name ?? "",
        item.Spec?.ServiceAccountName ?? "",
        (item.Metadata?.Labels ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal),
        new[] { item.Status?.ContainerStatuses, item.Status?.InitContainerStatuses, item.Status?.EphemeralContainerStatuses }
            .SelectMany(s => s ?? [])
            .Select(s => ContainerIdOf(s.ContainerId))
            .OfType<string>()
            .ToImmutableHashSet(StringComparer.Ordinal)))]);

    /// <summary><c>containerd://&lt;id&gt;</c>, <c>cri-o://&lt;id&gt;</c>, <c>docker://&lt;id&gt;</c> → the ID the cgroup shows.</summary>
    private static string? ContainerIdOf(string? status)
    {
        var scheme = status?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        return scheme > 0 ? status![(scheme + 3)..] : null;
    }

    internal sealed class PodListDocument
    {
        [JsonPropertyName("items")] public List<PodDocument>? Items { get; set; }
    }

    internal sealed class PodDocument
    {
        [JsonPropertyName("metadata")] public MetadataDocument? Metadata { get; set; }
        [JsonPropertyName("spec")] public SpecDocument? Spec { get; set; }
        [JsonPropertyName("status")] public StatusDocument? Status { get; set; }
    }

    internal sealed class MetadataDocument
    {
        [JsonPropertyName("uid")] public string? Uid { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("namespace")] public string? Namespace { get; set; }
        [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    }

    internal sealed class SpecDocument
    {
        [JsonPropertyName("serviceAccountName")] public string? ServiceAccountName { get; set; }
    }

    internal sealed class StatusDocument
    {
        [JsonPropertyName("containerStatuses")] public List<ContainerStatusDocument>? ContainerStatuses { get; set; }
        [JsonPropertyName("initContainerStatuses")] public List<ContainerStatusDocument>? InitContainerStatuses { get; set; }
        [JsonPropertyName("ephemeralContainerStatuses")] public List<ContainerStatusDocument>? EphemeralContainerStatuses { get; set; }
    }

    internal sealed class ContainerStatusDocument
    {
        [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    }
}
