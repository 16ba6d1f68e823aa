using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// Headers for every page of the authentication role: nothing cached (the pages carry codes, tokens and personal
/// data), no framing (clickjacking of the login and consent buttons), no referrer (URLs carry state and codes), and a
/// strict content security policy: no script at all, images only as data: URIs (the QR code).
/// </summary>
public sealed class SecurityHeaders : IAsyncPageFilter
{
    // No form-action: browsers apply it to the redirects after a form post, which go to the clients' redirect URIs.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

    public static void Apply(HttpResponse response)
    {
        // The value antiforgery sets itself on pages with a form; anything else makes it log a warning per page view.
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        Apply(context.HttpContext.Response);
        return next();
    }
}
