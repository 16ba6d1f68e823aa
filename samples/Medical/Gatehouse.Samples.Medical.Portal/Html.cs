using System.Net;
using System.Text;

namespace Gatehouse.Samples.Medical.Portal;

/// <summary>Plain, accessible pages: one h1, landmarks, real buttons; every value HTML-encoded.</summary>
internal static class Html
{
    public static string E(string? value) => WebUtility.HtmlEncode(value ?? "");

    public static IResult Page(string title, string body, int status = 200) => Results.Content($"""
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{E(title == "Doctor portal" ? title : title + " · Doctor portal")}</title></head>
        <body>
        <header><nav aria-label="Portal"><a href="/">Home</a> · <a href="/profile">Profile</a> · <a href="/appointments">Appointments</a></nav></header>
        <main>
        <h1>{E(title)}</h1>
        {body}
        </main>
        </body>
        </html>
        """, "text/html; charset=utf-8", Encoding.UTF8, status);

    /// <summary>A form with one button that posts to <paramref name="action"/> with the antiforgery token.</summary>
    public static string PostButton(string action, string label, string antiforgeryField, string antiforgeryToken) => $"""
        <form method="post" action="{E(action)}"><input type="hidden" name="{E(antiforgeryField)}" value="{E(antiforgeryToken)}"><button type="submit">{E(label)}</button></form>
        """;

    public static string Table(string caption, IEnumerable<string> headers, IEnumerable<IEnumerable<string?>> rows) =>
        $"<table><caption>{E(caption)}</caption><thead><tr>{string.Concat(headers.Select(h => $"<th scope=\"col\">{E(h)}</th>"))}</tr></thead><tbody>"
        + string.Concat(rows.Select(r => "<tr>" + string.Concat(r.Select(c => $"<td>{E(c)}</td>")) + "</tr>"))
        + "</tbody></table>";
}
