using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Jwt;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Ca;

/// <summary>
/// The workload CA of one trust domain: a root (self-signed, or upstream-provided), an intermediate signing CA, and a
/// JWT-SVID signing key. Each rotates on <see cref="CaRotationSchedule"/>; successors are in the bundle from the
/// moment they are prepared, and retired authorities stay in it until they expire.
/// In memory (the constructor), every public call first brings the state up to the injected clock's now.
/// Persisted (<see cref="OpenAsync"/>), the state is loaded from and saved to an <see cref="IWorkloadCaStateStore"/>,
/// and only <see cref="RotateAsync"/> rotates: it saves the successor before anything is signed by it, and picks up
/// what another server sharing the store saved.
/// </summary>
public sealed class WorkloadCaManager : IDisposable
{
    private readonly WorkloadCaOptions _options;
    private readonly TimeProvider _time;
    private readonly IWorkloadCaStateStore? _store;
    private readonly SemaphoreSlim _rotating = new(1, 1);
    private readonly Lock _lock = new();
    private CaState _state;
    private long _revision;
    private SpiffeBundle? _bundle;

    public WorkloadCaManager(WorkloadCaOptions options, TimeProvider timeProvider) : this(options, timeProvider, store: null)
    {
    }

    private WorkloadCaManager(WorkloadCaOptions options, TimeProvider timeProvider, IWorkloadCaStateStore? store)
    {
        options.Validate();
        _options = options;
        _time = timeProvider;
        _store = store;
        var now = _time.GetUtcNow();
        var root = options.UpstreamCa ?? CertificateFactory.CreateRoot(options.TrustDomain, now, now + options.RootTtl);
        _state = new CaState
        {
            Root = root,
            Intermediate = NewIntermediate(root, now),
            JwtKey = JwtSigningKey.Create(now, now + options.JwtKeyTtl),
            Sequence = 1,
        };
    }

    /// <summary>
    /// Loads the trust domain's CA from <paramref name="store"/>, or creates and stores one when there is none (if
    /// another server stores one first, that one is loaded), then applies the rotation schedule.
    /// </summary>
    public static async Task<WorkloadCaManager> OpenAsync(WorkloadCaOptions options, TimeProvider timeProvider, IWorkloadCaStateStore store,
        CancellationToken cancellationToken = default)
    {
        var ca = new WorkloadCaManager(options, timeProvider, store);
        try
        {
            while (true)
            {
                if (await store.LoadAsync(options.TrustDomain, cancellationToken).ConfigureAwait(false) is { } stored)
                {
                    ca.Restore(stored);
                    break;
                }
                if (await store.TrySaveAsync(options.TrustDomain, 0, ca._state.Sequence, ca._state.ToAuthorities(options.UpstreamCa is null), cancellationToken).ConfigureAwait(false))
                {
                    ca._revision = 1;
                    break;
                }
            }
            await ca.RotateAsync(cancellationToken).ConfigureAwait(false);
            return ca;
        }
        catch
        {
            ca.Dispose();
            throw;
        }
    }

    public TrustDomain TrustDomain => _options.TrustDomain;

    /// <summary>
    /// How often to apply the schedule: at most 10 s, and at least twelve times per shortest authority lifetime, so
    /// that a check falls inside the last sixth of every authority's life (between activating its successor and expiry).
    /// </summary>
    public TimeSpan RotationCheckInterval =>
        new[] { TimeSpan.FromSeconds(10), _options.IntermediateTtl / 12, _options.JwtKeyTtl / 12, _options.RootTtl / 12 }.Min();

    /// <summary>Raised after the bundle's contents changed (with the new bundle); the Workload API will stream it.</summary>
    public event Action<SpiffeBundle>? BundleChanged;

    public X509Certificate2 CurrentRoot { get { RotateInMemory(); lock (_lock) return _state.Root; } }
    public X509Certificate2 CurrentIntermediate { get { RotateInMemory(); lock (_lock) return _state.Intermediate; } }
    public string CurrentJwtKeyId { get { RotateInMemory(); lock (_lock) return _state.JwtKey.Kid; } }

    /// <summary>The trust domain's bundle: every root and JWT key that is prepared, current or not yet expired.</summary>
    public SpiffeBundle Bundle
    {
        get
        {
            RotateInMemory();
            lock (_lock)
                return _bundle ??= BuildBundle(_state);
        }
    }

    /// <summary>Issues an X.509-SVID signed by the current intermediate; the chain is leaf → intermediate.</summary>
    public X509Svid IssueX509Svid(SpiffeId id, IReadOnlyList<string>? dnsNames = null, TimeSpan? ttl = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            return new X509Svid(id, IssueX509Svid(id, new PublicKey(key), dnsNames, ttl), key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Issues an X.509-SVID for a key pair made by someone else (an agent, whose private key never leaves its node);
    /// returns the chain leaf → intermediate.
    /// </summary>
    public IReadOnlyList<X509Certificate2> IssueX509Svid(SpiffeId id, PublicKey publicKey, IReadOnlyList<string>? dnsNames = null, TimeSpan? ttl = null)
    {
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "An SVID lifetime must be positive.");
        if (id.TrustDomain != TrustDomain)
            throw new ArgumentException($"This CA issues only in trust domain {TrustDomain}.", nameof(id));
        RotateInMemory();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var intermediate = _state.Intermediate;
            var leaf = CertificateFactory.CreateLeaf(id, dnsNames ?? [], publicKey, intermediate, now, now + (ttl ?? _options.X509SvidTtl));
            // The root (ours or the upstream CA) is the bundle's trust anchor, so it is not part of the chain.
            return [leaf, X509CertificateLoader.LoadCertificate(intermediate.RawData)];
        }
    }

    /// <summary>Issues a JWT-SVID signed by the current JWT key.</summary>
    public string IssueJwtSvid(SpiffeId id, IReadOnlyCollection<string> audiences, TimeSpan? ttl = null)
    {
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "An SVID lifetime must be positive.");
        if (id.TrustDomain != TrustDomain)
            throw new ArgumentException($"This CA issues only in trust domain {TrustDomain}.", nameof(id));
        RotateInMemory();
        lock (_lock)
            return JwtSvidIssuer.Issue(id, audiences, _state.JwtKey, _time.GetUtcNow(), ttl ?? _options.JwtSvidTtl);
    }

    /// <summary>Applies the rotation schedule to the root, the intermediate and the JWT key at the clock's now (in-memory CA).</summary>
    public void Rotate()
    {
        if (_store is not null)
            throw new InvalidOperationException("A persisted workload CA rotates with RotateAsync.");
        SpiffeBundle? changed;
        lock (_lock)
        {
            var next = _state.Clone();
            var step = ApplySchedule(next, _time.GetUtcNow());
            changed = Swap(next, step);
        }
        if (changed is not null)
            BundleChanged?.Invoke(changed);
    }

    /// <summary>
    /// Applies the rotation schedule. Persisted, first loads what another server saved since, and saves a rotation
    /// before using it; when another server saved first, loads its state and applies the schedule to that.
    /// </summary>
    public async Task RotateAsync(CancellationToken cancellationToken = default)
    {
        if (_store is null)
        {
            Rotate();
            return;
        }
        await _rotating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                if (await _store.RevisionAsync(TrustDomain, cancellationToken).ConfigureAwait(false) != _revision
                    && await _store.LoadAsync(TrustDomain, cancellationToken).ConfigureAwait(false) is { } stored)
                {
                    Restore(stored);
                }
                CaState next;
                Rotation step;
                lock (_lock)
                {
                    next = _state.Clone();
                    step = ApplySchedule(next, _time.GetUtcNow());
                }
                if (!step.StateChanged)
                    return;
                if (await _store.TrySaveAsync(TrustDomain, _revision, next.Sequence, next.ToAuthorities(_options.UpstreamCa is null), cancellationToken).ConfigureAwait(false))
                {
                    SpiffeBundle? changed;
                    lock (_lock)
                    {
                        _revision++;
                        changed = Swap(next, step);
                    }
                    if (changed is not null)
                        BundleChanged?.Invoke(changed);
                    return;
                }
            }
        }
        finally
        {
            _rotating.Release();
        }
    }

    private void RotateInMemory()
    {
        if (_store is null)
            Rotate();
    }

    /// <summary>What one application of the schedule did to a state.</summary>
    private readonly record struct Rotation(bool StateChanged, bool BundleChanged, IReadOnlyList<JwtSigningKey> Expired);

    /// <summary>Brings <paramref name="s"/> (a clone, never the live state) up to <paramref name="now"/>.</summary>
    private Rotation ApplySchedule(CaState s, DateTimeOffset now)
    {
        var stateChanged = false;
        var bundleChanged = false;

        if (_options.UpstreamCa is null)
        {
            switch (CaRotationSchedule.NextStep(NotBefore(s.Root), NotAfter(s.Root), s.NextRoot is not null, now))
            {
                case RotationStep.Prepare:
                    s.NextRoot = CertificateFactory.CreateRoot(TrustDomain, now, now + _options.RootTtl);
                    bundleChanged = true;
                    break;
                case RotationStep.Activate or RotationStep.PrepareAndActivate:
                    s.RetiredRoots.Add(s.Root);
                    s.Root = s.NextRoot ?? CertificateFactory.CreateRoot(TrustDomain, now, now + _options.RootTtl);
                    s.NextRoot = null;
                    // The signing CA must chain to the new root from now on.
                    s.Intermediate = NewIntermediate(s.Root, now);
                    s.NextIntermediate = null;
                    bundleChanged = true;
                    break;
            }
        }

        switch (CaRotationSchedule.NextStep(NotBefore(s.Intermediate), NotAfter(s.Intermediate), s.NextIntermediate is not null, now))
        {
            case RotationStep.Prepare:
                s.NextIntermediate = NewIntermediate(s.Root, now);
                stateChanged = true;
                break;
            case RotationStep.Activate or RotationStep.PrepareAndActivate:
                s.Intermediate = s.NextIntermediate ?? NewIntermediate(s.Root, now);
                s.NextIntermediate = null;
                stateChanged = true;
                break;
        }

        switch (CaRotationSchedule.NextStep(s.JwtKey.NotBefore, s.JwtKey.NotAfter, s.NextJwtKey is not null, now))
        {
            case RotationStep.Prepare:
                s.NextJwtKey = JwtSigningKey.Create(now, now + _options.JwtKeyTtl);
                bundleChanged = true;
                break;
            case RotationStep.Activate or RotationStep.PrepareAndActivate:
                s.RetiredJwtKeys.Add(s.JwtKey);
                s.JwtKey = s.NextJwtKey ?? JwtSigningKey.Create(now, now + _options.JwtKeyTtl);
                s.NextJwtKey = null;
                bundleChanged = true;
                break;
        }

        // Retired authorities leave the bundle once nothing they signed can still be valid.
        bundleChanged |= s.RetiredRoots.RemoveAll(r => NotAfter(r) <= now) > 0;
        var expired = s.RetiredJwtKeys.Where(k => k.NotAfter <= now).ToArray();
        foreach (var key in expired)
            s.RetiredJwtKeys.Remove(key);
        bundleChanged |= expired.Length > 0;

        if (bundleChanged)
            s.Sequence++;
        return new Rotation(stateChanged || bundleChanged, bundleChanged, expired);
    }

    /// <summary>Makes <paramref name="next"/> the live state (under the lock); returns the new bundle if it changed.</summary>
    private SpiffeBundle? Swap(CaState next, Rotation step)
    {
        _state = next;
        // Nothing signs with or publishes an expired JWT key any more; the live state no longer holds it.
        foreach (var key in step.Expired)
            key.Dispose();
        if (!step.BundleChanged)
            return null;
        return _bundle = BuildBundle(next);
    }

    /// <summary>Replaces the live state with a stored one (another server's rotation, or this server's restart).</summary>
    private void Restore(WorkloadCaState stored)
    {
        var restored = CaState.FromAuthorities(stored, _options.UpstreamCa);
        SpiffeBundle? changed = null;
        lock (_lock)
        {
            var bundleChanged = _revision != 0 && restored.Sequence != _state.Sequence;
            var replaced = _state;
            _state = restored;
            // The restored state has its own key objects; nothing uses the replaced ones once the lock is released.
            foreach (var key in replaced.RetiredJwtKeys.Append(replaced.JwtKey).Concat(replaced.NextJwtKey is null ? [] : [replaced.NextJwtKey]))
                key.Dispose();
            _revision = stored.Revision;
            _bundle = BuildBundle(restored);
            if (bundleChanged)
                changed = _bundle;
        }
        if (changed is not null)
            BundleChanged?.Invoke(changed);
    }

    private X509Certificate2 NewIntermediate(X509Certificate2 root, DateTimeOffset now) =>
        CertificateFactory.CreateIntermediate(TrustDomain, root, now, now + _options.IntermediateTtl);

    private SpiffeBundle BuildBundle(CaState s)
    {
        var roots = s.RetiredRoots.Append(s.Root).Concat(s.NextRoot is null ? [] : [s.NextRoot])
            .Select(r => X509CertificateLoader.LoadCertificate(r.RawData)); // public part only
        var keys = s.RetiredJwtKeys.Append(s.JwtKey).Concat(s.NextJwtKey is null ? [] : [s.NextJwtKey]).Select(k => k.PublicJwk());
        return new SpiffeBundle(TrustDomain, roots, keys, s.Sequence, _options.BundleRefreshHint);
    }

    private static DateTimeOffset NotBefore(X509Certificate2 c) => new(c.NotBefore.ToUniversalTime(), TimeSpan.Zero);
    private static DateTimeOffset NotAfter(X509Certificate2 c) => new(c.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    public void Dispose()
    {
        lock (_lock)
        {
            _state.JwtKey.Dispose();
            _state.NextJwtKey?.Dispose();
            foreach (var key in _state.RetiredJwtKeys)
                key.Dispose();
        }
        _rotating.Dispose();
    }

    /// <summary>The authorities at one moment. Rotation works on a clone, so a rotation that is not saved is never used.</summary>
    private sealed class CaState
    {
        public required X509Certificate2 Root { get; set; }
        public X509Certificate2? NextRoot { get; set; }
        public List<X509Certificate2> RetiredRoots { get; private init; } = [];
        public required X509Certificate2 Intermediate { get; set; }
        public X509Certificate2? NextIntermediate { get; set; }
        public required JwtSigningKey JwtKey { get; set; }
        public JwtSigningKey? NextJwtKey { get; set; }
        public List<JwtSigningKey> RetiredJwtKeys { get; private init; } = [];
        public ulong Sequence { get; set; }

        public CaState Clone() => new()
        {
            Root = Root, NextRoot = NextRoot, RetiredRoots = [.. RetiredRoots],
            Intermediate = Intermediate, NextIntermediate = NextIntermediate,
            JwtKey = JwtKey, NextJwtKey = NextJwtKey, RetiredJwtKeys = [.. RetiredJwtKeys],
            Sequence = Sequence,
        };

        /// <summary>Every authority with its private key; an upstream root is configuration, not state, so it is left out.</summary>
        public IReadOnlyList<WorkloadAuthority> ToAuthorities(bool includeRoots)
        {
            var result = new List<WorkloadAuthority>();
            if (includeRoots)
            {
                result.AddRange(RetiredRoots.Select(r => Certificate(r, WorkloadAuthorityKind.Root, WorkloadAuthorityState.Retired)));
                result.Add(Certificate(Root, WorkloadAuthorityKind.Root, WorkloadAuthorityState.Active));
                if (NextRoot is not null)
                    result.Add(Certificate(NextRoot, WorkloadAuthorityKind.Root, WorkloadAuthorityState.Prepared));
            }
            result.Add(Certificate(Intermediate, WorkloadAuthorityKind.Intermediate, WorkloadAuthorityState.Active));
            if (NextIntermediate is not null)
                result.Add(Certificate(NextIntermediate, WorkloadAuthorityKind.Intermediate, WorkloadAuthorityState.Prepared));
            result.AddRange(RetiredJwtKeys.Select(k => Jwt(k, WorkloadAuthorityState.Retired)));
            result.Add(Jwt(JwtKey, WorkloadAuthorityState.Active));
            if (NextJwtKey is not null)
                result.Add(Jwt(NextJwtKey, WorkloadAuthorityState.Prepared));
            return result;
        }

        public static CaState FromAuthorities(WorkloadCaState stored, X509Certificate2? upstreamCa)
        {
            X509Certificate2? Cert(WorkloadAuthority? a)
            {
                if (a is null)
                    return null;
                using var key = ECDsa.Create();
                key.ImportPkcs8PrivateKey(a.PrivateKey, out _);
                using var certificate = X509CertificateLoader.LoadCertificate(a.PublicData);
                return certificate.CopyWithPrivateKey(key);
            }
            static JwtSigningKey? Key(WorkloadAuthority? a)
            {
                if (a is null)
                    return null;
                var key = ECDsa.Create();
                key.ImportPkcs8PrivateKey(a.PrivateKey, out _);
                return new JwtSigningKey(a.Id, key, a.NotBefore, a.NotAfter);
            }
            WorkloadAuthority? One(WorkloadAuthorityKind kind, WorkloadAuthorityState state) =>
                stored.Authorities.SingleOrDefault(a => a.Kind == kind && a.State == state);
            IEnumerable<WorkloadAuthority> All(WorkloadAuthorityKind kind, WorkloadAuthorityState state) =>
                stored.Authorities.Where(a => a.Kind == kind && a.State == state);

            var root = upstreamCa ?? Cert(One(WorkloadAuthorityKind.Root, WorkloadAuthorityState.Active));
            var intermediate = Cert(One(WorkloadAuthorityKind.Intermediate, WorkloadAuthorityState.Active));
            var jwtKey = Key(One(WorkloadAuthorityKind.JwtKey, WorkloadAuthorityState.Active));
            if (root is null || intermediate is null || jwtKey is null)
                throw new InvalidDataException("The stored workload CA has no active root, intermediate or JWT key; it cannot be used.");
            return new CaState
            {
                Root = root,
                NextRoot = upstreamCa is null ? Cert(One(WorkloadAuthorityKind.Root, WorkloadAuthorityState.Prepared)) : null,
                RetiredRoots = upstreamCa is null ? [.. All(WorkloadAuthorityKind.Root, WorkloadAuthorityState.Retired).Select(a => Cert(a)!)] : [],
                Intermediate = intermediate,
                NextIntermediate = Cert(One(WorkloadAuthorityKind.Intermediate, WorkloadAuthorityState.Prepared)),
                JwtKey = jwtKey,
                NextJwtKey = Key(One(WorkloadAuthorityKind.JwtKey, WorkloadAuthorityState.Prepared)),
                RetiredJwtKeys = [.. All(WorkloadAuthorityKind.JwtKey, WorkloadAuthorityState.Retired).Select(a => Key(a)!)],
                Sequence = stored.BundleSequence,
            };
        }

        private static WorkloadAuthority Certificate(X509Certificate2 certificate, WorkloadAuthorityKind kind, WorkloadAuthorityState state)
        {
            using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("A CA certificate without its private key cannot be stored.");
            // The certificate's SHA-256: unique, and the same on every server that loads it.
            return new WorkloadAuthority(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), kind, state, certificate.RawData,
                key.ExportPkcs8PrivateKey(), NotBefore(certificate), NotAfter(certificate));
        }

        private static WorkloadAuthority Jwt(JwtSigningKey key, WorkloadAuthorityState state) =>
            new(key.Kid, WorkloadAuthorityKind.JwtKey, state, key.Key.ExportSubjectPublicKeyInfo(), key.Key.ExportPkcs8PrivateKey(), key.NotBefore, key.NotAfter);
    }
}
