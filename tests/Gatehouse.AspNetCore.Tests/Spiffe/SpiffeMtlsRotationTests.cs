using System.Net.Http.Json;
using Gatehouse.AspNetCore.Spiffe;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.AspNetCore.Tests.Spiffe;

/// <summary>
/// X.509-SVIDs living a few seconds, renewed by real agents at half their life: a client keeps calling a server,
/// both following their agent's FetchX509SVID stream, and no request fails across several rotations of each.
/// </summary>
public sealed class SpiffeMtlsRotationTests
{
    private static readonly TimeSpan SvidTtl = TimeSpan.FromSeconds(4);
    private const int Rotations = 4;

    [Fact]
    public async Task ClientAndServerSvidsRotating_EveryRequestSucceeds()
    {
        await using var agents = new WorkloadAgents();
        var serverSource = await agents.StartAsync("/server", SvidTtl);
        var clientSource = await agents.StartAsync("/client", SvidTtl);
        await using var api = await MtlsApi.StartAsync(serverSource);
        using var client = new HttpClient(new SpiffeMtlsHttpHandler(clientSource, SpiffeId.Parse("spiffe://example.org/server")))
        {
            BaseAddress = api.Url,
            Timeout = TimeSpan.FromSeconds(30),
        };

        var serverSerials = new HashSet<string>();
        var clientSerials = new HashSet<string>();
        var requests = 0;
        var failures = new List<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a bound, not a measurement
        // Until each side's certificate has changed on the wire several times: renewals reach new connections.
        while (serverSerials.Count <= Rotations || clientSerials.Count <= Rotations)
        {
            Assert.False(deadline.IsCancellationRequested,
                $"Saw {serverSerials.Count} server and {clientSerials.Count} client certificates in {requests} requests " +
                $"({serverSource.Updates} and {clientSource.Updates} SVID updates); failures: {string.Join("; ", failures)}");
            // A few requests at once, so that some are in flight on the old connections when a renewal lands.
            var calls = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CallAsync(client)));
            requests += calls.Length;
            foreach (var (seen, failure) in calls)
            {
                if (failure is not null)
                    failures.Add(failure);
                else
                {
                    Assert.Equal(MtlsApi.Client, seen!.SpiffeId);
                    serverSerials.Add(seen.ServerSerial);
                    clientSerials.Add(seen.ClientSerial);
                }
            }
            await Task.Delay(20);
        }

        Assert.Empty(failures);
    }

    private static async Task<(MtlsApi.Seen? Seen, string? Failure)> CallAsync(HttpClient client)
    {
        try
        {
            return (await client.GetFromJsonAsync<MtlsApi.Seen>("/whoami"), null);
        }
        catch (HttpRequestException e)
        {
            return (null, e.GetBaseException().Message);
        }
    }
}
