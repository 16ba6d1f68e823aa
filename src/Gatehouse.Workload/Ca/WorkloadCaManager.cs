using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Jwt;
using Gatehouse.Workload.X509;

namespace Gatehouse.Workload.Ca;

/// <summary>
/// The in-memory workload CA of one trust domain: a root (self-signed, or upstream-provided), an intermediate
/// signing CA, and a JWT-SVID signing key. Each rotates on <see cref="CaRotationSchedule"/>; successors are in the
/// bundle from the moment they are prepared, and retired authorities stay in it until they expire. Every public
/// call first brings the state up to the injected clock's now.
/// </summary>
public sealed class WorkloadCaManager : IDisposable
{
    private readonly WorkloadCaOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<X509Certificate2> _retiredRoots = [];
    private readonly List<JwtSigningKey> _retiredJwtKeys = [];
    private X509Certificate2 _root;
    private X509Certificate2? _nextRoot;
    private X509Certificate2 _intermediate;
    private X509Certificate2? _nextIntermediate;
    private JwtSigningKey _jwtKey;
    private JwtSigningKey? _nextJwtKey;
    private ulong _sequence = 1;
    private SpiffeBundle? _bundle;

    public WorkloadCaManager(WorkloadCaOptions options, TimeProvider timeProvider)
    {
        options.Validate();
        _options = options;
        _time = timeProvider;
        var now = _time.GetUtcNow();
        _root = options.UpstreamCa ?? CertificateFactory.CreateRoot(options.TrustDomain, now, now + options.RootTtl);
        _intermediate = NewIntermediate(_root, now);
        _jwtKey = JwtSigningKey.Create(now, now + options.JwtKeyTtl);
    }

    public TrustDomain TrustDomain => _options.TrustDomain;

    /// <summary>Raised after the bundle's contents changed (with the new bundle); the Workload API will stream it.</summary>
    public event Action<SpiffeBundle>? BundleChanged;

    public X509Certificate2 CurrentRoot { get { Rotate(); lock (_lock) return _root; } }
    public X509Certificate2 CurrentIntermediate { get { Rotate(); lock (_lock) return _intermediate; } }
    public string CurrentJwtKeyId { get { Rotate(); lock (_lock) return _jwtKey.Kid; } }

    /// <summary>The trust domain's bundle: every root and JWT key that is prepared, current or not yet expired.</summary>
    public SpiffeBundle Bundle
    {
        get
        {
            Rotate();
            lock (_lock)
                return _bundle ??= BuildBundle();
        }
    }

    /// <summary>Issues an X.509-SVID signed by the current intermediate; the chain is leaf → intermediate.</summary>
    public X509Svid IssueX509Svid(SpiffeId id, IReadOnlyList<string>? dnsNames = null, TimeSpan? ttl = null)
    {
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "An SVID lifetime must be positive.");
        if (id.TrustDomain != TrustDomain)
            throw new ArgumentException($"This CA issues only in trust domain {TrustDomain}.", nameof(id));
        Rotate();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var leaf = CertificateFactory.CreateLeaf(id, dnsNames ?? [], key, _intermediate, now, now + (ttl ?? _options.X509SvidTtl));
            // The root (ours or the upstream CA) is the bundle's trust anchor, so it is not part of the chain.
            return new X509Svid(id, [leaf, _intermediate], key);
        }
    }

    /// <summary>Issues a JWT-SVID signed by the current JWT key.</summary>
    public string IssueJwtSvid(SpiffeId id, IReadOnlyCollection<string> audiences, TimeSpan? ttl = null)
    {
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "An SVID lifetime must be positive.");
        if (id.TrustDomain != TrustDomain)
            throw new ArgumentException($"This CA issues only in trust domain {TrustDomain}.", nameof(id));
        Rotate();
        lock (_lock)
            return JwtSvidIssuer.Issue(id, audiences, _jwtKey, _time.GetUtcNow(), ttl ?? _options.JwtSvidTtl);
    }

    /// <summary>Applies the rotation schedule to the root, the intermediate and the JWT key at the clock's now.</summary>
    public void Rotate()
    {
        SpiffeBundle? changed = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var bundleChanged = false;

            if (_options.UpstreamCa is null)
            {
                switch (CaRotationSchedule.NextStep(NotBefore(_root), NotAfter(_root), _nextRoot is not null, now))
                {
                    case RotationStep.Prepare:
                        _nextRoot = CertificateFactory.CreateRoot(TrustDomain, now, now + _options.RootTtl);
                        bundleChanged = true;
                        break;
                    case RotationStep.Activate or RotationStep.PrepareAndActivate:
                        _retiredRoots.Add(_root);
                        _root = _nextRoot ?? CertificateFactory.CreateRoot(TrustDomain, now, now + _options.RootTtl);
                        _nextRoot = null;
                        // The signing CA must chain to the new root from now on.
                        _intermediate = NewIntermediate(_root, now);
                        _nextIntermediate = null;
                        bundleChanged = true;
                        break;
                }
            }

            switch (CaRotationSchedule.NextStep(NotBefore(_intermediate), NotAfter(_intermediate), _nextIntermediate is not null, now))
            {
                case RotationStep.Prepare:
                    _nextIntermediate = NewIntermediate(_root, now);
                    break;
                case RotationStep.Activate or RotationStep.PrepareAndActivate:
                    _intermediate = _nextIntermediate ?? NewIntermediate(_root, now);
                    _nextIntermediate = null;
                    break;
            }

            switch (CaRotationSchedule.NextStep(_jwtKey.NotBefore, _jwtKey.NotAfter, _nextJwtKey is not null, now))
            {
                case RotationStep.Prepare:
                    _nextJwtKey = JwtSigningKey.Create(now, now + _options.JwtKeyTtl);
                    bundleChanged = true;
                    break;
                case RotationStep.Activate or RotationStep.PrepareAndActivate:
                    _retiredJwtKeys.Add(_jwtKey);
                    _jwtKey = _nextJwtKey ?? JwtSigningKey.Create(now, now + _options.JwtKeyTtl);
                    _nextJwtKey = null;
                    bundleChanged = true;
                    break;
            }

            // Retired authorities leave the bundle once nothing they signed can still be valid.
            bundleChanged |= _retiredRoots.RemoveAll(r => NotAfter(r) <= now) > 0;
            foreach (var key in _retiredJwtKeys.Where(k => k.NotAfter <= now).ToArray())
            {
                _retiredJwtKeys.Remove(key);
                key.Dispose();
                bundleChanged = true;
            }

            if (bundleChanged)
            {
                _sequence++;
                _bundle = null;
                changed = _bundle = BuildBundle();
            }
        }
        if (changed is not null)
            BundleChanged?.Invoke(changed);
    }

    private X509Certificate2 NewIntermediate(X509Certificate2 root, DateTimeOffset now) =>
        CertificateFactory.CreateIntermediate(TrustDomain, root, now, now + _options.IntermediateTtl);

    private SpiffeBundle BuildBundle()
    {
        var roots = _retiredRoots.Append(_root).Concat(_nextRoot is null ? [] : [_nextRoot])
            .Select(r => X509CertificateLoader.LoadCertificate(r.RawData)); // public part only
        var keys = _retiredJwtKeys.Append(_jwtKey).Concat(_nextJwtKey is null ? [] : [_nextJwtKey]).Select(k => k.PublicJwk());
        return new SpiffeBundle(TrustDomain, roots, keys, _sequence, _options.BundleRefreshHint);
    }

    private static DateTimeOffset NotBefore(X509Certificate2 c) => new(c.NotBefore.ToUniversalTime(), TimeSpan.Zero);
    private static DateTimeOffset NotAfter(X509Certificate2 c) => new(c.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    public void Dispose()
    {
        lock (_lock)
        {
            _jwtKey.Dispose();
            _nextJwtKey?.Dispose();
            foreach (var key in _retiredJwtKeys)
                key.Dispose();
        }
    }
}
