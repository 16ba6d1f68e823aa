using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>
/// A browser without JavaScript for flows a native app or a test drives over HTTP: keeps cookies, follows redirects
/// itself (so it can stop at a client's redirect URI without anything listening there), parses pages with AngleSharp and
/// submits forms the way a browser would — hidden fields included, inputs found by their label.
/// </summary>
public sealed class FormBrowser : IDisposable
{
    private static readonly HtmlParser Parser = new();
    private readonly HttpClient _http;

    public FormBrowser()
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public Uri Url { get; private set; } = new("about:blank");
    public HttpStatusCode Status { get; private set; }
    public IHtmlDocument Page { get; private set; } = Parser.ParseDocument("");
    public string Html => Page.DocumentElement.OuterHtml;

    /// <summary>Loads <paramref name="url"/> and follows redirects, stopping early at a URL that starts with <paramref name="stopAt"/>.</summary>
    public Task NavigateAsync(string url, string? stopAt = null) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url), stopAt);

    /// <summary>The text of the page without markup, for assertions on what a person would read.</summary>
    public string Text => Page.Body?.TextContent ?? "";

    /// <summary>Fills the inputs named by their label text (or name) and presses the button with <paramref name="button"/> as its text.</summary>
    public Task SubmitAsync(string button, IReadOnlyDictionary<string, string>? fields = null, string? stopAt = null)
    {
        var pressed = Page.QuerySelectorAll("button, input[type=submit]")
            .FirstOrDefault(b => (b.TextContent.Trim() == button) || b.GetAttribute("value") == button)
            ?? throw new InvalidOperationException($"No button '{button}' on {Url}:\n{Text}");
        var form = pressed.Closest("form") as IHtmlFormElement ?? throw new InvalidOperationException($"The button '{button}' is not in a form.");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll("input[name], textarea[name], select[name]"))
        {
            if (input.GetAttribute("type") is "submit" or "button" or "image" || input.HasAttribute("disabled"))
                continue;
            if (input.GetAttribute("type") is "checkbox" or "radio" && !input.HasAttribute("checked"))
                continue;
            values.Add(new(input.GetAttribute("name")!, input.GetAttribute("value") ?? ""));
        }
        foreach (var (label, value) in fields ?? new Dictionary<string, string>())
        {
            var name = InputName(form, label);
            values.RemoveAll(v => v.Key == name);
            values.Add(new(name, value));
        }
        if (pressed.GetAttribute("name") is { } buttonName)
            values.Add(new(buttonName, pressed.GetAttribute("value") ?? ""));

        var action = new Uri(Url, form.GetAttribute("action") is { Length: > 0 } a ? a : Url.ToString());
        var method = (form.GetAttribute("method") ?? "get").ToLowerInvariant();
        var request = method == "post"
            ? new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(values) }
            : new HttpRequestMessage(HttpMethod.Get, new UriBuilder(action) { Query = string.Join('&', values.Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}")) }.Uri);
        return SendAsync(request, stopAt);
    }

    private static string InputName(IHtmlFormElement form, string label)
    {
        var byLabel = form.QuerySelectorAll("label").FirstOrDefault(l => l.TextContent.Trim().StartsWith(label, StringComparison.OrdinalIgnoreCase));
        var input = byLabel?.GetAttribute("for") is { } id ? form.QuerySelector($"#{id}") : byLabel?.QuerySelector("input");
        input ??= form.QuerySelector($"[name='{label}']");
        return input?.GetAttribute("name") ?? throw new InvalidOperationException($"No input labelled '{label}' in the form.");
    }

    private async Task SendAsync(HttpRequestMessage request, string? stopAt)
    {
        for (var hops = 0; ; hops++)
        {
            if (hops > 20)
                throw new InvalidOperationException($"Too many redirects, last at {Url}.");
            if (stopAt is not null && request.RequestUri!.ToString().StartsWith(stopAt, StringComparison.Ordinal))
            {
                // The client's redirect URI: a native app receives it from the system browser; nothing needs to listen.
                Url = request.RequestUri;
                Status = HttpStatusCode.Found;
                Page = Parser.ParseDocument("");
                request.Dispose();
                return;
            }
            using var response = await _http.SendAsync(request);
            Url = request.RequestUri!;
            Status = response.StatusCode;
            request.Dispose();
            if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(Url, location);
                request = (int)response.StatusCode is 307 or 308 ? throw new NotSupportedException("307/308 are not expected here.") : new HttpRequestMessage(HttpMethod.Get, next);
                continue;
            }
            Page = Parser.ParseDocument(await response.Content.ReadAsStringAsync());
            return;
        }
    }

    public void Dispose() => _http.Dispose();
}
