using Gatehouse.Server.Configuration;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// Authorization responses to the client's redirect URI (RFC 6749 §4.1.2 and §4.1.2.1), always with <c>iss</c>
/// (RFC 9207 §2) so that a client talking to several servers can tell which one answered (mix-up defence).
/// </summary>
public sealed class AuthorizationResponses(GatehouseOptions options)
{
    public string Code(AuthorizationRequest request, string code) =>
        Build(request.RedirectUri, [("code", code), ("state", request.State)]);

    public string Error(AuthorizationFailure failure) =>
        Build(failure.RedirectUri!, [("error", failure.Error.Code), ("error_description", failure.Error.Description), ("state", failure.State)]);

    private string Build(string redirectUri, (string Name, string? Value)[] parameters) =>
        // The redirect URI may carry its own query, which is kept (RFC 6749 §3.1.2).
        QueryHelpers.AddQueryString(redirectUri, parameters.Where(p => p.Value is not null)
            .Select(p => new KeyValuePair<string, string?>(p.Name, p.Value)).Append(new("iss", options.Issuer)));
}
