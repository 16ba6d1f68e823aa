using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Protocol.Jose;

/// <summary>
/// The members of a public signing JWK (RFC 7517 §4, RFC 7518 §6): only public parameters, whatever the source key
/// held, so a JWKS built from these can never leak a private part.
/// </summary>
public static class PublicJwk
{
    public static Dictionary<string, string> Members(JsonWebKey key, string kid, string algorithm)
    {
        var members = new Dictionary<string, string> { ["kty"] = key.Kty, ["use"] = "sig", ["alg"] = algorithm, ["kid"] = kid };
        if (key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve)
        {
            members["crv"] = key.Crv;
            members["x"] = key.X;
            members["y"] = key.Y;
        }
        else
        {
            members["n"] = key.N;
            members["e"] = key.E;
        }
        return members;
    }
}
