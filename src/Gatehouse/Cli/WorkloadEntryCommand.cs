using System.CommandLine;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload;
using Gatehouse.Workload.Registration;

namespace Gatehouse.Cli;

/// <summary><c>gatehouse workload entry add|list|remove</c>: registration entries in the store, for the configured trust domain.</summary>
internal static class WorkloadEntryCommand
{
    private const int Failed = 1;

    public static Command Create()
    {
        var command = new Command("entry", "Add, list and remove registration entries (which SPIFFE ID a workload with given selectors receives) in the store.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Command Add()
    {
        var config = CliOptions.Config();
        var spiffeId = new Option<string>("--spiffe-id") { Description = "The SPIFFE ID to issue, in the configured trust domain, e.g. spiffe://example.org/api.", Required = true };
        var selector = new Option<string[]>("--selector")
        {
            Description = "A selector the caller must show: unix:uid:N, unix:gid:N, unix:path:/abs/path, k8s:ns:NS, k8s:sa:SA, k8s:pod-label:KEY:VALUE. Repeatable; all must match.",
            Required = true,
        };
        var dnsName = new Option<string[]>("--dns-name") { Description = "A DNS name for the X.509-SVID (the first is also its CN). Repeatable." };
        var x509Ttl = new Option<int?>("--x509-svid-ttl") { Description = "X.509-SVID lifetime in seconds (default Gatehouse:Workload:X509SvidTtl)." };
        var jwtTtl = new Option<int?>("--jwt-svid-ttl") { Description = "JWT-SVID lifetime in seconds (default Gatehouse:Workload:JwtSvidTtl)." };
        var id = new Option<string?>("--id") { Description = "The entry's id (default: the SPIFFE ID)." };
        var command = new Command("add", "Add a registration entry.") { config, spiffeId, selector, dnsName, x509Ttl, jwtTtl, id };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            var text = parse.GetValue(spiffeId)!;
            if (!SpiffeId.TryParse(text, out var parsed, out var error) || parsed!.IsTrustDomainId)
                return Fail($"--spiffe-id '{text}' is not a workload SPIFFE ID{(error == SpiffeIdError.None ? " (it needs a path)" : $" ({error})")}. Fix: pass e.g. spiffe://example.org/api.");
            var selectors = new List<Selector>();
            foreach (var value in parse.GetValue(selector) ?? [])
            {
                if (!Selector.TryParse(value, out var s, out var reason))
                    return Fail($"--selector '{value}': {reason}.");
                selectors.Add(s);
            }
            var dnsNames = parse.GetValue(dnsName) ?? [];
            if (dnsNames.FirstOrDefault(n => Uri.CheckHostName(n) != UriHostNameType.Dns) is { } badName)
                return Fail($"--dns-name '{badName}' is not a DNS name.");
            if (!TryTtl(parse.GetValue(x509Ttl), "--x509-svid-ttl", out var x509) || !TryTtl(parse.GetValue(jwtTtl), "--jwt-svid-ttl", out var jwt))
                return Failed;
            var entryId = parse.GetValue(id) ?? parsed.ToString();
            if (entryId.Length is 0 or > 200 || entryId.Any(char.IsControl))
                return Fail("--id must be 1 to 200 characters without control characters.");

            await using var store = WorkloadStore.Open(parse.GetValue(config)!.FullName);
            if (parsed.TrustDomain != store.TrustDomain)
                return Fail($"--spiffe-id '{parsed}' is outside the trust domain {store.TrustDomain} (Gatehouse:Workload:TrustDomain). Fix: use spiffe://{store.TrustDomain}/...");
            var entry = new RegistrationEntry(entryId, parsed, selectors, dnsNames, x509, jwt);
            var existing = await store.Entries.ListAsync(ct);
            if (existing.FirstOrDefault(e => e.SpiffeId == entry.SpiffeId && e.Selectors.ToHashSet().SetEquals(entry.Selectors)) is { } same)
                return Fail($"Entry '{same.Id}' already gives {entry.SpiffeId} to these selectors.");
            if (!await store.Entries.CreateAsync(entry, ct))
                return Fail($"An entry with id '{entryId}' already exists. Fix: pass another --id, or remove it first.");
            Console.WriteLine($"Added entry {entry.Id}: {entry.SpiffeId} for {string.Join(' ', entry.Selectors)}.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var config = CliOptions.Config();
        var command = new Command("list", "List registration entries: id, SPIFFE ID, selectors, DNS names, TTLs.") { config };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var store = WorkloadStore.Open(parse.GetValue(config)!.FullName);
            var entries = await store.Entries.ListAsync(ct);
            Console.WriteLine($"{"ID",-32} {"SPIFFE ID",-40} {"SELECTORS",-40} {"DNS NAMES",-24} {"X509 TTL",-9} {"JWT TTL",-8}");
            foreach (var e in entries)
            {
                Console.WriteLine($"{e.Id,-32} {e.SpiffeId,-40} {string.Join(',', e.Selectors),-40} {Dash(string.Join(',', e.DnsNames)),-24} " +
                    $"{Dash(e.X509SvidTtl?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),-9} {Dash(e.JwtSvidTtl?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),-8}");
            }
            if (entries.Count == 0)
                Console.WriteLine("(no entries yet: add one with 'gatehouse workload entry add')");
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CliOptions.Config();
        var id = new Argument<string>("id") { Description = "The id of the entry, as 'gatehouse workload entry list' shows it." };
        var command = new Command("remove", "Remove a registration entry; workloads stop receiving its SVIDs at their next renewal.") { config, id };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            var entryId = parse.GetValue(id)!;
            await using var store = WorkloadStore.Open(parse.GetValue(config)!.FullName);
            if (!await store.Entries.DeleteAsync(entryId, ct))
                return Fail($"No entry with id '{entryId}'. See 'gatehouse workload entry list'.");
            Console.WriteLine($"Removed entry {entryId}.");
            return 0;
        }));
        return command;
    }

    private static bool TryTtl(int? seconds, string name, out TimeSpan? ttl)
    {
        ttl = seconds is { } s ? TimeSpan.FromSeconds(s) : null;
        if (seconds is not <= 0)
            return true;
        Fail($"{name} must be a positive number of seconds (got {seconds}).");
        return false;
    }

    private static string Dash(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return Failed;
    }
}
