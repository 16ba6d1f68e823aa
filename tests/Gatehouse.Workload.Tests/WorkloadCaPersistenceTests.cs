using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Ca;
using Gatehouse.Workload.Jwt;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Workload.Tests;

/// <summary>
/// A persisted CA (<see cref="WorkloadCaManager.OpenAsync"/>) on a fake clock: restart keeps the authorities, two
/// managers over one store are one CA, a rotation is saved before use, and of two concurrent rotations one wins.
/// </summary>
public sealed class WorkloadCaPersistenceTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TrustDomain Td = TrustDomain.Parse("example.org");
    private readonly FakeTimeProvider _clock = new(TestPki.Start);
    private readonly RecordingStateStore _store = new();
    private readonly List<WorkloadCaManager> _managers = [];

    private async Task<WorkloadCaManager> OpenAsync()
    {
        var ca = await WorkloadCaManager.OpenAsync(new WorkloadCaOptions { TrustDomain = Td }, _clock, _store, Ct);
        _managers.Add(ca);
        return ca;
    }

    [Fact]
    public async Task TwoManagersOverOneStore_ShareTheBundle_EachVerifiesTheOthersSvids()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();

        Assert.Equal(Describe(a.Bundle), Describe(b.Bundle));
        Assert.Equal(1, _store.Saves);
        using var fromA = a.IssueX509Svid(SpiffeId.Parse("spiffe://example.org/api"));
        using var fromB = b.IssueX509Svid(SpiffeId.Parse("spiffe://example.org/web"));
        Assert.True(new X509SvidValidator(_clock).Validate(fromA.Certificates, b.Bundle).IsValid);
        Assert.True(new X509SvidValidator(_clock).Validate(fromB.Certificates, a.Bundle).IsValid);
        var jwt = a.IssueJwtSvid(SpiffeId.Parse("spiffe://example.org/api"), ["billing"]);
        Assert.True((await new JwtSvidValidator(_clock).ValidateAsync(jwt, b.Bundle, "billing")).IsValid);
    }

    [Fact]
    public async Task Restart_KeepsRootsJwtKeysAndBundleSequence()
    {
        var first = await OpenAsync();
        _clock.Advance(TimeSpan.FromHours(12)); // JWT key half-life: its successor is prepared and published
        await first.RotateAsync(Ct);
        var before = Describe(first.Bundle);
        var kid = first.CurrentJwtKeyId;
        first.Dispose();

        var restarted = await OpenAsync();

        Assert.Equal(before, Describe(restarted.Bundle));
        Assert.Equal(2UL, restarted.Bundle.SequenceNumber);
        Assert.Equal(kid, restarted.CurrentJwtKeyId);
        Assert.Equal(2, _store.Saves);
    }

    [Fact]
    public async Task Rotation_IsSavedBeforeUse_AndPickedUpByTheOtherManager()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var intermediate = a.CurrentIntermediate.Thumbprint;
        SpiffeBundle? pushedToB = null;
        b.BundleChanged += bundle => pushedToB = bundle;

        _clock.Advance(TimeSpan.FromHours(20)); // ⅚ of the intermediate's and the JWT key's life
        Assert.Equal(intermediate, a.CurrentIntermediate.Thumbprint); // a persisted CA rotates only in RotateAsync
        await a.RotateAsync(Ct);
        Assert.NotEqual(intermediate, a.CurrentIntermediate.Thumbprint);
        Assert.Equal(2, _store.Saves);

        await b.RotateAsync(Ct);

        Assert.Equal(2, _store.Saves); // b adopted a's rotation instead of making its own
        Assert.Equal(a.CurrentIntermediate.Thumbprint, b.CurrentIntermediate.Thumbprint);
        Assert.Equal(a.CurrentJwtKeyId, b.CurrentJwtKeyId);
        Assert.Equal(Describe(a.Bundle), Describe(b.Bundle));
        Assert.NotNull(pushedToB);
        Assert.Equal(a.Bundle.SequenceNumber, pushedToB.SequenceNumber);
    }

    [Fact]
    public async Task ConcurrentRotations_OneIsSaved_TheOtherManagerAdoptsIt()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        _clock.Advance(TimeSpan.FromHours(12));
        // While a saves its rotation, b rotates and saves first: a's save is refused and a loads b's.
        _store.BeforeSave = async () =>
        {
            _store.BeforeSave = null;
            await b.RotateAsync(Ct);
        };

        await a.RotateAsync(Ct);

        Assert.Equal(1, _store.RefusedSaves);
        Assert.Equal(Describe(b.Bundle), Describe(a.Bundle));
        Assert.Equal(2, a.Bundle.JwtAuthorities.Count); // one successor, not one per manager
        Assert.Equal(2UL, a.Bundle.SequenceNumber);
        using var svid = a.IssueX509Svid(SpiffeId.Parse("spiffe://example.org/api"));
        Assert.True(new X509SvidValidator(_clock).Validate(svid.Certificates, b.Bundle).IsValid);
    }

    [Fact]
    public async Task Stored_HasEveryAuthorityWithItsState()
    {
        var ca = await OpenAsync();
        _clock.Advance(TimeSpan.FromDays(15)); // root half-life; intermediate and JWT key long past ⅚
        await ca.RotateAsync(Ct);

        var stored = _store.Current!;
        Assert.Equal([WorkloadAuthorityState.Prepared, WorkloadAuthorityState.Active],
            stored.Authorities.Where(x => x.Kind == WorkloadAuthorityKind.Root).Select(x => x.State).Order());
        Assert.Single(stored.Authorities, x => x is { Kind: WorkloadAuthorityKind.Intermediate, State: WorkloadAuthorityState.Active });
        Assert.Single(stored.Authorities, x => x is { Kind: WorkloadAuthorityKind.JwtKey, State: WorkloadAuthorityState.Active });
        Assert.Equal(ca.CurrentJwtKeyId, stored.Authorities.Single(x => x is { Kind: WorkloadAuthorityKind.JwtKey, State: WorkloadAuthorityState.Active }).Id);
        Assert.All(stored.Authorities, x => Assert.NotEmpty(x.PrivateKey));
    }

    [Fact]
    public async Task StoredStateWithoutActiveRoot_IsRefusedWithAClearError()
    {
        await OpenAsync();
        _store.Current = _store.Current! with { Authorities = _store.Current.Authorities.Where(x => x.Kind != WorkloadAuthorityKind.Root).ToArray() };

        var e = await Assert.ThrowsAsync<InvalidDataException>(OpenAsync);
        Assert.Contains("no active root", e.Message);
    }

    private static string Describe(SpiffeBundle bundle) =>
        $"{bundle.SequenceNumber}|{string.Join(",", bundle.X509Authorities.Select(c => c.Thumbprint))}|{string.Join(",", bundle.JwtAuthorities.Keys.Order())}";

    public void Dispose()
    {
        foreach (var manager in _managers)
            manager.Dispose();
    }

    /// <summary>One trust domain's state in memory, copied in and out like a database would, counting saves.</summary>
    private sealed class RecordingStateStore : IWorkloadCaStateStore
    {
        public WorkloadCaState? Current { get; set; }
        public int Saves { get; private set; }
        public int RefusedSaves { get; private set; }
        public Func<Task>? BeforeSave { get; set; }

        public Task<WorkloadCaState?> LoadAsync(TrustDomain trustDomain, CancellationToken cancellationToken) =>
            Task.FromResult(Current is null ? null : Current with { Authorities = Current.Authorities.Select(Copy).ToArray() });

        public Task<long> RevisionAsync(TrustDomain trustDomain, CancellationToken cancellationToken) => Task.FromResult(Current?.Revision ?? 0);

        public async Task<bool> TrySaveAsync(TrustDomain trustDomain, long expectedRevision, ulong bundleSequence,
            IReadOnlyList<WorkloadAuthority> authorities, CancellationToken cancellationToken)
        {
            if (BeforeSave is { } hook)
                await hook();
            if ((Current?.Revision ?? 0) != expectedRevision)
            {
                RefusedSaves++;
                return false;
            }
            Current = new WorkloadCaState(expectedRevision + 1, bundleSequence, authorities.Select(Copy).ToArray());
            Saves++;
            return true;
        }

        private static WorkloadAuthority Copy(WorkloadAuthority a) => a with { PublicData = [.. a.PublicData], PrivateKey = [.. a.PrivateKey] };
    }
}
