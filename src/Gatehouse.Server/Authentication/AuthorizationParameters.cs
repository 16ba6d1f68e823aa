using System.Text.Json;
using Gatehouse.Server.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// The parameters of an authorization request as sent: in the query, a form body, or a pushed request. Only the names
/// this server understands are kept (OIDC Core §3.1.2.1: others are ignored), so nothing else is stored or echoed.
/// </summary>
public sealed class AuthorizationParameters
{
    public const string ResponseType = "response_type";
    public const string ResponseMode = "response_mode";
    public const string ClientId = "client_id";
    public const string RedirectUri = "redirect_uri";
    public const string Scope = "scope";
    public const string State = "state";
    public const string Nonce = "nonce";
    public const string CodeChallenge = "code_challenge";
    public const string CodeChallengeMethod = "code_challenge_method";
    public const string Prompt = "prompt";
    public const string MaxAge = "max_age";
    public const string LoginHint = "login_hint";
    public const string Request = "request";
    public const string RequestUri = "request_uri";

    private static readonly string[] Names =
        [ResponseType, ResponseMode, ClientId, RedirectUri, Scope, State, Nonce, CodeChallenge, CodeChallengeMethod, Prompt, MaxAge, LoginHint, Request, RequestUri];

    private readonly Dictionary<string, string> _values;

    private AuthorizationParameters(Dictionary<string, string> values, IReadOnlySet<string> repeated)
    {
        _values = values;
        Repeated = repeated;
    }

    /// <summary>A value, or null when absent or empty (RFC 6749 §3.1: a parameter without a value is omitted).</summary>
    public string? this[string name] => _values.GetValueOrDefault(name);

    /// <summary>Names sent more than once, which RFC 6749 §3.1 forbids.</summary>
    public IReadOnlySet<string> Repeated { get; }

    public IReadOnlyDictionary<string, string> Values => _values;

    public static AuthorizationParameters From(IEnumerable<KeyValuePair<string, StringValues>> collection)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in collection)
        {
            if (!Names.Contains(name, StringComparer.Ordinal))
                continue;
            if (value.Count > 1)
                repeated.Add(name);
            else if (!string.IsNullOrEmpty(value[0]))
                values[name] = value[0]!;
        }
        return new AuthorizationParameters(values, repeated);
    }

    /// <summary>From a form that has already refused repeated parameters (<see cref="OAuthForm"/>).</summary>
    public static AuthorizationParameters From(OAuthForm form) =>
        new(Names.Where(form.Has).ToDictionary(n => n, n => form[n]!, StringComparer.Ordinal), new HashSet<string>());

    public static AuthorizationParameters FromJson(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], new HashSet<string>());

    public string ToJson() => JsonSerializer.Serialize(_values);

    /// <summary>The parameters as a query string, to continue the same request after a page (login, consent).</summary>
    public string ToQueryString() =>
        string.Join('&', _values.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
}
