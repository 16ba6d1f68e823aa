using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.AspNetCore.Errors;

/// <summary>
/// Why a token was rejected, as a stable code (the <c>reason</c> member of the 401 JSON body) and a description that
/// quotes nothing from the token.
/// </summary>
public static class TokenFailureReason
{
    public const string Malformed = "malformed";
    public const string Expired = "expired";
    public const string NotYetValid = "not_yet_valid";
    public const string InvalidIssuer = "invalid_issuer";
    public const string InvalidAudience = "invalid_audience";
    public const string InvalidSignature = "invalid_signature";
    public const string UnknownKey = "unknown_key";
    public const string AlgorithmNotAllowed = "algorithm_not_allowed";
    public const string InvalidType = "invalid_type";
    public const string MissingClaim = "missing_claim";
    public const string Invalid = "invalid";

    public static (string Reason, string Description) Of(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => (Expired, "The access token has expired."),
        SecurityTokenNotYetValidException => (NotYetValid, "The access token is not valid yet."),
        SecurityTokenInvalidIssuerException => (InvalidIssuer, "The access token was issued by an unexpected issuer."),
        SecurityTokenInvalidAudienceException => (InvalidAudience, "The access token is not meant for this API."),
        SecurityTokenInvalidAlgorithmException => (AlgorithmNotAllowed, "The access token is signed with an algorithm this API does not accept."),
        SecurityTokenInvalidTypeException => (InvalidType, "The token is not an access token (typ must be at+jwt)."),
        SecurityTokenSignatureKeyNotFoundException => (UnknownKey, "The access token is signed with an unknown key."),
        SecurityTokenInvalidSignatureException => (InvalidSignature, "The access token signature is invalid."),
        MissingClaimException m => (MissingClaim, $"The access token lacks the required claim '{m.ClaimType}'."),
        SecurityTokenMalformedException or ArgumentException => (Malformed, "The access token is malformed."),
        SecurityTokenNoExpirationException => (Invalid, "The access token has no expiration time."),
        _ => (Invalid, "The access token is invalid."),
    };
}

/// <summary>A required claim (<see cref="GatehouseApiOptions.RequiredClaims"/>) is absent or empty.</summary>
public sealed class MissingClaimException(string claimType) : SecurityTokenValidationException($"The token lacks the required claim '{claimType}'.")
{
    public string ClaimType { get; } = claimType;
}
