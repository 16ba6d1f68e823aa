using System.Text;

namespace Gatehouse.Protocol.Spiffe;

/// <summary>A SPIFFE trust domain name (SPIFFE-ID.md §2.1), e.g. <c>example.org</c>. Compared ordinally.</summary>
public sealed class TrustDomain : IEquatable<TrustDomain>
{
    /// <summary>RFC 3986 limits the host to 255 characters, hence the trust domain name (SPIFFE-ID.md §2.3).</summary>
    public const int MaxLength = 255;

    private TrustDomain(string name) => Name = name;

    /// <summary>The trust domain name, without scheme.</summary>
    public string Name { get; }

    /// <summary>The SPIFFE ID of the trust domain itself: <c>spiffe://name</c>.</summary>
    public SpiffeId Id => SpiffeId.FromValidatedParts(this, "");

    /// <summary>Parses a bare trust domain name (no scheme, no path).</summary>
    public static bool TryParse(string? name, out TrustDomain? trustDomain, out SpiffeIdError error)
    {
        trustDomain = null;
        error = Validate(name);
        if (error != SpiffeIdError.None)
            return false;
        trustDomain = new TrustDomain(name!);
        return true;
    }

    public static bool TryParse(string? name, out TrustDomain? trustDomain) => TryParse(name, out trustDomain, out _);

    public static TrustDomain Parse(string name) =>
        TryParse(name, out var td, out var error) ? td! : throw new FormatException($"Invalid SPIFFE trust domain name ({error}).");

    /// <summary>Checks a trust domain name against §2.1 and §2.3; the first rule broken wins.</summary>
    internal static SpiffeIdError Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return SpiffeIdError.MissingTrustDomain;
        if (name.Contains('@'))
            return SpiffeIdError.UserInfo; // before the ':' check, so "user:pw@td" names userinfo, not a port
        foreach (var c in name)
        {
            var error = c switch
            {
                >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-' or '_' => SpiffeIdError.None,
                '@' => SpiffeIdError.UserInfo,
                ':' => SpiffeIdError.Port,
                '%' => SpiffeIdError.PercentEncoding,
                _ => SpiffeIdError.TrustDomainCharacter,
            };
            if (error != SpiffeIdError.None)
                return error;
        }
        // Only ASCII is left here, so characters equal bytes.
        return Encoding.ASCII.GetByteCount(name) > MaxLength ? SpiffeIdError.TrustDomainTooLong : SpiffeIdError.None;
    }

    public bool Equals(TrustDomain? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);
    public override bool Equals(object? obj) => Equals(obj as TrustDomain);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);
    public override string ToString() => Name;
    public static bool operator ==(TrustDomain? left, TrustDomain? right) => left is null ? right is null : left.Equals(right);
    public static bool operator !=(TrustDomain? left, TrustDomain? right) => !(left == right);
}
