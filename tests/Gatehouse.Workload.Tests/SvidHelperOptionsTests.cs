using Gatehouse.Workload.Helper;

namespace Gatehouse.Workload.Tests;

public class SvidHelperOptionsTests
{
    private static SvidHelperOptions Valid() => new() { AgentAddress = "/tmp/agent.sock", CertDir = "/tmp/certs" };

    [Fact]
    public void Load_SpiffeHelperKeys_Mapped()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                {
                  // spiffe-helper's keys, as JSON
                  "agent_address": "/run/agent.sock",
                  "cert_dir": "/certs",
                  "svid_file_name": "tls.crt",
                  "svid_key_file_name": "tls.key",
                  "svid_bundle_file_name": "ca.crt",
                  "renew_signal": "SIGHUP",
                  "pid_file_name": "/run/nginx.pid",
                  "cmd": "/usr/sbin/nginx",
                  "cmd_args": "-s reload",
                  "daemon_mode": false,
                  "jwt_svids": [ { "jwt_audience": "billing", "jwt_svid_file_name": "billing.jwt" } ],
                  "health_checks": { "listener_enabled": true, "bind_port": 9000, "liveness_path": "/l", "readiness_path": "/r" },
                }
                """);

            var o = SvidHelperOptions.Load(file);
            o.Validate();

            Assert.Equal("/run/agent.sock", o.ResolveAgentAddress().SocketPath);
            Assert.Equal(("/certs", "tls.crt", "tls.key", "ca.crt"), (o.CertDir, o.SvidFileName, o.SvidKeyFileName, o.SvidBundleFileName));
            Assert.Equal(("SIGHUP", "/run/nginx.pid", "/usr/sbin/nginx", "-s reload"), (o.RenewSignal, o.PidFileName, o.Cmd, o.CmdArgs));
            Assert.False(o.DaemonMode);
            var jwt = Assert.Single(o.JwtSvids);
            Assert.Equal(("billing", "billing.jwt"), (jwt.JwtAudience, jwt.JwtSvidFileName));
            Assert.Equal((true, 9000, "/l", "/r"), (o.HealthChecks.ListenerEnabled, o.HealthChecks.BindPort, o.HealthChecks.LivenessPath, o.HealthChecks.ReadinessPath));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Defaults_SpiffeHelperFileNames()
    {
        var o = new SvidHelperOptions();

        Assert.Equal(("svid.pem", "svid_key.pem", "svid_bundle.pem"), (o.SvidFileName, o.SvidKeyFileName, o.SvidBundleFileName));
        Assert.True(o.DaemonMode);
    }

    [Fact]
    public void Load_UnknownKey_Rejected()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "cert_dir": "/c", "add_intermediates_to_bundle": true }""");

            var ex = Assert.Throws<SvidHelperConfigurationException>(() => SvidHelperOptions.Load(file));
            Assert.Contains("add_intermediates_to_bundle", ex.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static TheoryData<Action<SvidHelperOptions>, string> InvalidCases => new()
    {
        { o => o.CertDir = null, "cert_dir is required" },
        { o => o.AgentAddress = "http://127.0.0.1:1", "agent_address" },
        { o => o.SvidFileName = "../svid.pem", "svid_file_name must be a plain file name" },
        { o => o.SvidKeyFileName = "svid.pem", "must differ" },
        { o => o.RenewSignal = "SIGWINCH", "renew_signal 'SIGWINCH' is not supported" },
        { o => o.RenewSignal = "SIGHUP", "set pid or pid_file_name" },
        { o => o.Pid = 42, "renew_signal is not" },
        { o => { o.Pid = -1; o.RenewSignal = "HUP"; }, "pid must be a positive" },
        { o => o.CmdArgs = "-x", "cmd is not" },
        { o => { o.Cmd = "/bin/true"; o.CmdArgs = "'open"; }, "unclosed" },
        { o => o.JwtSvids.Add(new JwtSvidFileOptions { JwtSvidFileName = "a.jwt" }), "jwt_audience" },
        { o => o.JwtSvids.Add(new JwtSvidFileOptions { JwtAudience = "a" }), "jwt_svid_file_name" },
        { o => { o.HealthChecks.ListenerEnabled = true; o.HealthChecks.BindPort = 70000; }, "bind_port" },
        { o => o.HealthChecks.ReadinessPath = "ready", "readiness_path must start with '/'" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_Invalid_ErrorNamesTheKey(Action<SvidHelperOptions> breakIt, string message)
    {
        var options = Valid();
        options.Validate(); // the baseline is valid
        breakIt(options);

        var ex = Assert.Throws<SvidHelperConfigurationException>(options.Validate);
        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData("-s reload", new[] { "-s", "reload" })]
    [InlineData("  a   b ", new[] { "a", "b" })]
    [InlineData("-c 'echo hi > /tmp/x'", new[] { "-c", "echo hi > /tmp/x" })]
    [InlineData("\"a \\\"b\\\"\" c", new[] { "a \"b\"", "c" })]
    [InlineData("''", new[] { "" })]
    [InlineData("", new string[0])]
    public void CommandLineSplitter_QuotesGroup(string text, string[] expected)
    {
        Assert.Equal(expected, CommandLineSplitter.Split(text));
    }

    [Theory]
    [InlineData("SIGHUP", 1)]
    [InlineData("hup", 1)]
    [InlineData("SIGUSR1", 10)]
    [InlineData("SIGTERM", 15)]
    public void Signals_Names(string name, int number)
    {
        Assert.True(Signals.TryGetNumber(name, out var n));
        Assert.Equal(number, n);
    }
}
