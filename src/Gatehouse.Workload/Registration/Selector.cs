using Gatehouse.Protocol.Spiffe;
using System.Diagnostics.CodeAnalysis;

namespace Gatehouse.Workload.Registration;

/// <summary>
/// A workload attribute that attestation can observe, written <c>type:value</c>: <c>unix:uid:1000</c>,
/// <c>unix:gid:1000</c>, <c>unix:path:/usr/bin/api</c>, <c>k8s:ns:prod</c>, <c>k8s:sa:api</c>,
/// <c>k8s:pod-label:app:api</c>; and <c>agent:id:SPIFFE-ID</c>, which only the workload server adds — the SPIFFE ID of
/// the agent asking, from its mTLS certificate — so that an entry can be pinned to the agents (nodes) that may obtain it.
/// Compared ordinally on the whole string.
/// </summary>
public readonly record struct Selector(string Type, string Value)
{
    public override string ToString() => Type + ":" + Value;

    public static Selector Parse(string text) =>
        TryParse(text, out var selector, out var reason) ? selector : throw new FormatException($"Invalid selector '{text}': {reason}");

    public static bool TryParse(string? text, out Selector selector, [NotNullWhen(false)] out string? reason)
    {
        selector = default;
        reason = null;
        var parts = (text ?? "").Split(':', 3);
        if (parts.Length < 3 || parts[2].Length == 0)
        {
            reason = "expected type:kind:value";
            return false;
        }
        var (type, kind, value) = (parts[0], parts[1], parts[2]);
        reason = (type, kind) switch
        {
            ("unix", "uid") or ("unix", "gid") => value.All(char.IsAsciiDigit) && uint.TryParse(value, out _) ? null : "uid/gid must be a decimal number",
            ("unix", "path") => value.StartsWith('/') ? null : "path must be absolute",
            ("k8s", "ns") or ("k8s", "sa") => value.Contains(':') ? "name must not contain ':'" : null,
            ("k8s", "pod-label") => value.IndexOf(':') > 0 ? null : "expected pod-label:key:value",
            ("agent", "id") => SpiffeId.TryParse(value, out _, out var error) ? null : $"not a SPIFFE ID ({error})",
            _ => $"unknown selector '{type}:{kind}'",
        };
        if (reason is not null)
            return false;
        selector = new Selector(type, kind + ":" + value);
        return true;
    }

    public static Selector UnixUid(uint uid) => new("unix", $"uid:{uid}");
    public static Selector UnixGid(uint gid) => new("unix", $"gid:{gid}");
    public static Selector UnixPath(string path) => Parse("unix:path:" + path);
    public static Selector K8sNamespace(string ns) => Parse("k8s:ns:" + ns);
    public static Selector K8sServiceAccount(string sa) => Parse("k8s:sa:" + sa);
    public static Selector K8sPodLabel(string key, string value) => Parse($"k8s:pod-label:{key}:{value}");
    public static Selector AgentId(SpiffeId agent) => new("agent", "id:" + agent);

    /// <summary>Selectors of this type are the server's to add; an agent reporting one is refused.</summary>
    public const string AgentType = "agent";
}
