using System.Text;

namespace Gatehouse.Protocol.Spiffe;

/// <summary>
/// A SPIFFE ID (SPIFFE-ID.md §2): <c>spiffe://trust-domain/path</c>. Parsing enforces every rule of the
/// specification and reports the first one broken as a <see cref="SpiffeIdError"/>. Compared ordinally.
/// </summary>
public sealed class SpiffeId : IEquatable<SpiffeId>
{
    public const string Scheme = "spiffe";
    public const string Prefix = "spiffe://";

    /// <summary>§2.3: implementations support SPIFFE IDs up to 2048 bytes, and none is longer.</summary>
    public const int MaxLength = 2048;

    private SpiffeId(TrustDomain trustDomain, string path)
    {
        TrustDomain = trustDomain;
        Path = path;
    }

    public TrustDomain TrustDomain { get; }

    /// <summary>The path, starting with <c>/</c>, or empty for the trust domain's own ID.</summary>
    public string Path { get; }

    /// <summary>True for <c>spiffe://td</c> itself; leaf SVIDs need a non-root path (X509-SVID.md §3.1).</summary>
    public bool IsTrustDomainId => Path.Length == 0;

    public static bool TryParse(string? value, out SpiffeId? id, out SpiffeIdError error)
    {
        id = null;
        error = Validate(value, out var authorityEnd);
        if (error != SpiffeIdError.None)
            return false;
        var td = TrustDomain.Parse(value![Prefix.Length..authorityEnd]);
        id = new SpiffeId(td, value[authorityEnd..]);
        return true;
    }

    public static bool TryParse(string? value, out SpiffeId? id) => TryParse(value, out id, out _);

    public static SpiffeId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id! : throw new FormatException($"Invalid SPIFFE ID ({error}).");

    /// <summary>Builds an ID from a trust domain and a path such as <c>/ns/prod/sa/api</c>, validating the result.</summary>
    public static SpiffeId FromPath(TrustDomain trustDomain, string path) => Parse(Prefix + trustDomain.Name + path);

    internal static SpiffeId FromValidatedParts(TrustDomain trustDomain, string path) => new(trustDomain, path);

    private static SpiffeIdError Validate(string? value, out int authorityEnd)
    {
        authorityEnd = 0;
        if (string.IsNullOrEmpty(value))
            return SpiffeIdError.Empty;
        // §2.3: the length is counted in bytes; non-ASCII would be rejected below anyway.
        if (Encoding.UTF8.GetByteCount(value) > MaxLength)
            return SpiffeIdError.TooLong;
        // §2: the scheme is exactly "spiffe"; URI schemes are case-insensitive in RFC 3986, but SPIFFE IDs are canonical lowercase.
        if (!value.StartsWith(Prefix, StringComparison.Ordinal))
            return SpiffeIdError.WrongScheme;
        // §2: no query, no fragment (checked over the whole value so "spiffe://td?x" names the right rule).
        var query = value.IndexOf('?', Prefix.Length);
        var fragment = value.IndexOf('#', Prefix.Length);
        if (query >= 0 && (fragment < 0 || query < fragment))
            return SpiffeIdError.Query;
        if (fragment >= 0)
            return SpiffeIdError.Fragment;

        var slash = value.IndexOf('/', Prefix.Length);
        authorityEnd = slash < 0 ? value.Length : slash;
        var tdError = TrustDomain.Validate(value[Prefix.Length..authorityEnd]);
        if (tdError != SpiffeIdError.None)
            return tdError;
        return ValidatePath(value.AsSpan(authorityEnd));
    }

    /// <summary>§2.2: segments of [A-Za-z0-9._-], none empty, none "." or "..", no trailing slash.</summary>
    private static SpiffeIdError ValidatePath(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty)
            return SpiffeIdError.None;
        var segmentStart = 1; // path[0] is '/'
        for (var i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                var c = path[i];
                if (c == '%')
                    return SpiffeIdError.PercentEncoding;
                if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '.' or '-' or '_'))
                    return SpiffeIdError.PathCharacter;
                continue;
            }
            var segment = path[segmentStart..i];
            if (segment.IsEmpty)
                return i == path.Length ? SpiffeIdError.TrailingSlash : SpiffeIdError.EmptySegment;
            if (segment is "." or "..")
                return SpiffeIdError.DotSegment;
            segmentStart = i + 1;
        }
        return SpiffeIdError.None;
    }

    public bool Equals(SpiffeId? other) =>
        other is not null && TrustDomain.Equals(other.TrustDomain) && string.Equals(Path, other.Path, StringComparison.Ordinal);
    public override bool Equals(object? obj) => Equals(obj as SpiffeId);
    public override int GetHashCode() => HashCode.Combine(TrustDomain, StringComparer.Ordinal.GetHashCode(Path));
    public override string ToString() => Prefix + TrustDomain.Name + Path;
    public static bool operator ==(SpiffeId? left, SpiffeId? right) => left is null ? right is null : left.Equals(right);
    public static bool operator !=(SpiffeId? left, SpiffeId? right) => !(left == right);
}
