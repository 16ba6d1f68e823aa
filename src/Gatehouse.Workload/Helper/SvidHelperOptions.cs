using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Workload.Api;

namespace Gatehouse.Workload.Helper;

/// <summary>
/// What <c>gatehouse workload helper</c> does. The JSON keys are spiffe-helper's where the two overlap, so a
/// spiffe-helper configuration translates key for key (HCL → JSON). <c>pid</c> is ours; the rest of spiffe-helper's
/// keys are not supported yet and are rejected rather than ignored.
/// </summary>
public sealed class SvidHelperOptions
{
    /// <summary>The Workload API: a socket path, <c>unix:///path</c> or <c>tcp://IP:port</c>; empty means SPIFFE_ENDPOINT_SOCKET.</summary>
    [JsonPropertyName("agent_address")] public string? AgentAddress { get; set; }

    [JsonPropertyName("cert_dir")] public string? CertDir { get; set; }
    [JsonPropertyName("svid_file_name")] public string SvidFileName { get; set; } = "svid.pem";
    [JsonPropertyName("svid_key_file_name")] public string SvidKeyFileName { get; set; } = "svid_key.pem";
    [JsonPropertyName("svid_bundle_file_name")] public string SvidBundleFileName { get; set; } = "svid_bundle.pem";

    /// <summary>Signal sent after every write (SIGHUP, SIGUSR1, …) to <see cref="Pid"/> or the PID in <see cref="PidFileName"/>.</summary>
    [JsonPropertyName("renew_signal")] public string? RenewSignal { get; set; }
    [JsonPropertyName("pid_file_name")] public string? PidFileName { get; set; }
    [JsonPropertyName("pid")] public int? Pid { get; set; }

    /// <summary>A command run after every write, with <see cref="CmdArgs"/> split like a shell would (quotes, no expansion).</summary>
    [JsonPropertyName("cmd")] public string? Cmd { get; set; }
    [JsonPropertyName("cmd_args")] public string? CmdArgs { get; set; }

    [JsonPropertyName("jwt_svids")] public List<JwtSvidFileOptions> JwtSvids { get; set; } = [];

    /// <summary>false: write the files once and exit (spiffe-helper's daemon_mode).</summary>
    [JsonPropertyName("daemon_mode")] public bool DaemonMode { get; set; } = true;

    [JsonPropertyName("health_checks")] public HealthCheckOptions HealthChecks { get; set; } = new();

    /// <summary>Reads a JSON file with the keys above; unknown keys are an error naming the key.</summary>
    public static SvidHelperOptions Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SvidHelperOptions>(File.ReadAllText(path), JsonOptions)
                ?? throw new SvidHelperConfigurationException($"{path}: the configuration is empty (null).");
        }
        catch (JsonException e)
        {
            throw new SvidHelperConfigurationException($"{path}: {e.Message}");
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The agent's address: <see cref="AgentAddress"/> (a bare absolute path means a Unix socket), else SPIFFE_ENDPOINT_SOCKET.</summary>
    public WorkloadEndpointAddress ResolveAgentAddress()
    {
        if (string.IsNullOrEmpty(AgentAddress))
        {
            try
            {
                return WorkloadEndpointAddress.FromEnvironment();
            }
            catch (WorkloadEndpointAddressException e)
            {
                throw new SvidHelperConfigurationException($"agent_address is not set and {e.Reason}.");
            }
        }
        try
        {
            return AgentAddress.StartsWith('/') ? WorkloadEndpointAddress.Unix(AgentAddress) : WorkloadEndpointAddress.Parse(AgentAddress);
        }
        catch (WorkloadEndpointAddressException e)
        {
            throw new SvidHelperConfigurationException($"agent_address: {e.Message}");
        }
    }

    /// <summary>Checks every key; the message names the key and the fix.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(CertDir))
            throw new SvidHelperConfigurationException("cert_dir is required: the folder the SVID files are written to.");
        ResolveAgentAddress();
        foreach (var (key, name) in new[] { ("svid_file_name", SvidFileName), ("svid_key_file_name", SvidKeyFileName), ("svid_bundle_file_name", SvidBundleFileName) }
                     .Concat(JwtSvids.Select(j => ("jwt_svid_file_name", j.JwtSvidFileName ?? ""))))
            CheckFileName(key, name);
        var names = new[] { SvidFileName, SvidKeyFileName, SvidBundleFileName }.Concat(JwtSvids.Select(j => j.JwtSvidFileName!)).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new SvidHelperConfigurationException("svid_file_name, svid_key_file_name, svid_bundle_file_name and every jwt_svid_file_name must differ.");
        if (JwtSvids.Any(j => string.IsNullOrEmpty(j.JwtAudience)))
            throw new SvidHelperConfigurationException("jwt_svids: every entry needs jwt_audience.");
        if (RenewSignal is not null)
        {
            if (!Signals.TryGetNumber(RenewSignal, out _))
                throw new SvidHelperConfigurationException($"renew_signal '{RenewSignal}' is not supported; use one of {string.Join(", ", Signals.Names)}.");
            if (Pid is null && PidFileName is null)
                throw new SvidHelperConfigurationException("renew_signal needs a process to signal: set pid or pid_file_name.");
        }
        if ((Pid is not null || PidFileName is not null) && RenewSignal is null)
            throw new SvidHelperConfigurationException("pid / pid_file_name is set but renew_signal is not: set renew_signal (e.g. SIGHUP).");
        if (Pid is <= 0)
            throw new SvidHelperConfigurationException($"pid must be a positive process id (got {Pid}).");
        if (CmdArgs is not null && Cmd is null)
            throw new SvidHelperConfigurationException("cmd_args is set but cmd is not.");
        if (CmdArgs is not null)
            CommandLineSplitter.Split(CmdArgs); // throws on unbalanced quotes
        if (HealthChecks.ListenerEnabled && HealthChecks.BindPort is < 0 or > 65535)
            throw new SvidHelperConfigurationException($"health_checks.bind_port must be 0–65535 (got {HealthChecks.BindPort}).");
        foreach (var (key, path) in new[] { ("health_checks.liveness_path", HealthChecks.LivenessPath), ("health_checks.readiness_path", HealthChecks.ReadinessPath) })
        {
            if (!path.StartsWith('/'))
                throw new SvidHelperConfigurationException($"{key} must start with '/' (got '{path}').");
        }
    }

    private static void CheckFileName(string key, string name)
    {
        if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..")
            throw new SvidHelperConfigurationException($"{key} must be a plain file name inside cert_dir (got '{name}').");
    }
}

public sealed class JwtSvidFileOptions
{
    [JsonPropertyName("jwt_audience")] public string? JwtAudience { get; set; }
    [JsonPropertyName("jwt_svid_file_name")] public string? JwtSvidFileName { get; set; }
}

/// <summary>spiffe-helper's <c>health_checks</c> block: <c>/live</c> and <c>/ready</c> on 127.0.0.1.</summary>
public sealed class HealthCheckOptions
{
    [JsonPropertyName("listener_enabled")] public bool ListenerEnabled { get; set; }
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    [JsonPropertyName("bind_port")] public int BindPort { get; set; } = 8081;
    [JsonPropertyName("liveness_path")] public string LivenessPath { get; set; } = "/live";
    [JsonPropertyName("readiness_path")] public string ReadinessPath { get; set; } = "/ready";
}

/// <summary>A helper configuration that cannot work; the message names the key.</summary>
public sealed class SvidHelperConfigurationException(string message) : Exception(message);
