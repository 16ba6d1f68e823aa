using System.Security.Cryptography.X509Certificates;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.AspNetCore.Tests.Spiffe;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Protocol.Spiffe;
using Npgsql;

namespace Gatehouse.IntegrationTests.Spiffe;

/// <summary>
/// A workload reaches a real PostgreSQL over mutual TLS with X.509-SVIDs and nothing else: the server presents an
/// SVID (SPIFFE ID + DNS SAN) and trusts the SPIFFE bundle (<c>ssl_ca_file</c>); <c>hostssl … cert</c> maps the
/// client SVID's CN (its first DNS name) to the database role. The client takes its SVID from a real agent.
/// </summary>
public sealed class PostgresMtlsTests(PostgresMtlsTests.Cluster cluster) : IClassFixture<PostgresMtlsTests.Cluster>
{
    private static readonly SpiffeId Database = SpiffeId.Parse("spiffe://example.org/db");
    private static readonly TimeSpan ShortTtl = TimeSpan.FromSeconds(4);
    private readonly WorkloadAgents _agents = cluster.Agents;
    private readonly PostgresCluster _postgres = cluster.Postgres;

    /// <summary>One cluster for the class: initdb, the server SVID, the bundle as ssl_ca_file, cert-only pg_hba.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public WorkloadAgents Agents { get; } = new();
        public PostgresCluster Postgres { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Postgres = await PostgresCluster.InitAsync();
            await WriteServerSvidAsync();
            await Postgres.WriteFile("root.crt", string.Concat(Agents.Ca.Bundle.X509Authorities.Select(Pem)), (UnixFileMode)0b110_100_100);
            await Postgres.WriteFile("pg_hba.conf", """
                local   all all                trust
                hostssl all all 127.0.0.1/32   cert
                """);
            await Postgres.StartAsync("ssl=on", "ssl_cert_file=server.crt", "ssl_key_file=server.key", "ssl_ca_file=root.crt");
            await using var admin = new NpgsqlConnection(Postgres.AdminConnectionString);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE ROLE app LOGIN; CREATE ROLE reports LOGIN", admin);
            await create.ExecuteNonQueryAsync();
        }

        /// <summary>A fresh server SVID (SPIFFE ID + DNS SAN localhost) as server.crt (chain) and server.key.</summary>
        public async Task WriteServerSvidAsync()
        {
            using var server = Agents.Ca.IssueX509Svid(Database, ["localhost"]);
            await Postgres.WriteFile("server.crt", string.Concat(server.Certificates.Select(Pem)));
            await Postgres.WriteFile("server.key", server.PrivateKey.ExportPkcs8PrivateKeyPem() + "\n");
        }

        public async Task DisposeAsync()
        {
            await Postgres.DisposeAsync();
            await Agents.DisposeAsync();
        }
    }

    /// <summary>What PostgreSQL says about the session: its role and the client certificate it authenticated.</summary>
    private sealed record Session(string User, bool Ssl, string ClientDn, string ClientSerial);

    private static async Task<Session> ConnectAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var query = new NpgsqlCommand(
            "SELECT current_user::text, ssl, client_dn, client_serial::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        await using var row = await query.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        return new Session(row.GetString(0), row.GetBoolean(1), row.GetString(2), row.GetString(3));
    }

    /// <summary>
    /// Npgsql with the SPIFFE client half: the client certificate is the source's current SVID, taken for every new
    /// physical connection, and the server must show <paramref name="expectedServer"/>. SSL Mode=Require because
    /// Npgsql refuses VerifyCA/VerifyFull together with a custom validation callback; the callback validates the
    /// chain against the SPIFFE bundle and checks the SPIFFE ID, which is more than VerifyFull's host name check.
    /// </summary>
    private NpgsqlDataSource DataSource(IX509Source source, string role, SpiffeId? expectedServer = null, List<string>? serverSerials = null)
    {
        var builder = new NpgsqlDataSourceBuilder($"Host=127.0.0.1;Port={_postgres.Port};Username={role};Database=postgres;SSL Mode=Require;Pooling=false;Timeout=30");
        var tls = new SpiffeTlsClient(source, expectedServer ?? Database);
        builder.UseSslClientAuthenticationOptionsCallback(options =>
        {
            tls.Configure(options);
            if (serverSerials is null)
                return;
            var validate = options.RemoteCertificateValidationCallback!;
            options.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                serverSerials.Add(certificate!.GetSerialNumberString());
                return validate(sender, certificate, chain, errors);
            };
        });
        return builder.Build();
    }

    [Fact]
    public async Task WorkloadSvid_AuthenticatesAsTheRoleInItsCn()
    {
        var app = await _agents.StartAsync("/app", dnsNames: "app");
        await using var dataSource = DataSource(app, "app");

        var session = await ConnectAsync(dataSource);

        Assert.Equal("app", session.User);
        Assert.True(session.Ssl);
        Assert.Equal("/CN=app", session.ClientDn);
        Assert.Equal(new System.Numerics.BigInteger(app.Svid.Certificate.GetSerialNumber(), isUnsigned: true, isBigEndian: false).ToString(), session.ClientSerial);
    }

    [Fact]
    public async Task SvidRotation_NewConnectionsPresentTheNewSvid_NoneFails()
    {
        var app = await _agents.StartAsync("/app", ShortTtl, "app");
        await using var dataSource = DataSource(app, "app");
        var serials = new HashSet<string>();
        var connections = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a bound, not a measurement

        while (serials.Count < 4)
        {
            Assert.False(deadline.IsCancellationRequested, $"{serials.Count} client certificates in {connections} connections ({app.Updates} SVID updates).");
            var session = await ConnectAsync(dataSource); // any failure fails the test
            connections++;
            Assert.Equal("app", session.User);
            serials.Add(session.ClientSerial);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task WorkloadWithAnotherCn_RefusedAsThatRole()
    {
        var reports = await _agents.StartAsync("/reports", dnsNames: "reports");
        await using var asApp = DataSource(reports, "app");
        await using var asItself = DataSource(reports, "reports");

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ConnectAsync(asApp));
        Assert.Equal("28000", refused.SqlState); // invalid_authorization_specification: certificate authentication failed
        Assert.Equal("reports", (await ConnectAsync(asItself)).User);
    }

    [Fact]
    public async Task WorkloadOfAnotherTrustDomain_RefusedByTheServer()
    {
        var app = await _agents.StartAsync("/app", dnsNames: "app"); // only for the bundle that trusts the server
        await using var foreign = new WorkloadAgents("other.org");
        var impostor = await foreign.StartAsync("/app", dnsNames: "app"); // CN=app, but signed by another trust domain
        await using var dataSource = DataSource(new FixedSource(impostor.Svid, app.Bundles), "app");

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ConnectAsync(dataSource));
        Assert.Contains("certificate verify failed", _postgres.Log);
    }

    [Fact]
    public async Task ServerWithAnotherSpiffeId_RefusedByTheClient()
    {
        var app = await _agents.StartAsync("/app", dnsNames: "app");
        await using var dataSource = DataSource(app, "app", SpiffeId.Parse("spiffe://example.org/other-db"));

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ConnectAsync(dataSource));
    }

    [Fact]
    public async Task ServerSvidRenewed_PgCtlReload_NewConnectionsSeeIt()
    {
        var app = await _agents.StartAsync("/app", dnsNames: "app");
        var seen = new List<string>();
        await using var dataSource = DataSource(app, "app", serverSerials: seen);
        await ConnectAsync(dataSource);

        await cluster.WriteServerSvidAsync();
        await _postgres.ReloadAsync();
        await ConnectAsync(dataSource);

        Assert.Equal(2, seen.Distinct().Count());
    }

    private static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    private sealed record FixedSource(X509SvidCredential Svid, SpiffeBundleSet Bundles) : IX509Source;
}
