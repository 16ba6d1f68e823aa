namespace Gatehouse.Protocol.Spiffe;

/// <summary>The SPIFFE-ID rule (SPIFFE-ID.md §2) that a string breaks; <see cref="None"/> when it breaks none.</summary>
public enum SpiffeIdError
{
    None,
    /// <summary>The value is empty.</summary>
    Empty,
    /// <summary>§2: the scheme MUST be <c>spiffe</c> (lowercase) followed by <c>://</c>.</summary>
    WrongScheme,
    /// <summary>§2: the trust domain name MUST be non-empty.</summary>
    MissingTrustDomain,
    /// <summary>§2.1: trust domain names contain only lowercase letters, digits, dots, dashes and underscores.</summary>
    TrustDomainCharacter,
    /// <summary>§2.3: the trust domain name is at most 255 bytes.</summary>
    TrustDomainTooLong,
    /// <summary>§2.1: the authority MUST NOT carry a port (nor the <c>:</c> delimiter).</summary>
    Port,
    /// <summary>§2.1: the authority MUST NOT carry userinfo.</summary>
    UserInfo,
    /// <summary>§2.1/§2.2: percent-encoded characters are not allowed in either component.</summary>
    PercentEncoding,
    /// <summary>§2.2: path segments contain only letters, digits, dots, dashes and underscores.</summary>
    PathCharacter,
    /// <summary>§2.2: no empty segments (<c>//</c>).</summary>
    EmptySegment,
    /// <summary>§2.2: no <c>.</c> or <c>..</c> segments.</summary>
    DotSegment,
    /// <summary>§2.2: no trailing <c>/</c>.</summary>
    TrailingSlash,
    /// <summary>§2: no query component.</summary>
    Query,
    /// <summary>§2: no fragment component.</summary>
    Fragment,
    /// <summary>§2.3: a SPIFFE ID is at most 2048 bytes.</summary>
    TooLong,
}
