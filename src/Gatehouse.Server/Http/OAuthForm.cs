using Gatehouse.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Http;

/// <summary>
/// A form-encoded OAuth request body, read with strict limits. RFC 6749 §3.1/§3.2: parameters must not repeat,
/// and a parameter sent without a value is treated as omitted.
/// </summary>
public sealed class OAuthForm
{
    private readonly IFormCollection _form;

    private OAuthForm(IFormCollection form) => _form = form;

    public string? this[string name] => _form.TryGetValue(name, out var v) && v.Count == 1 && !string.IsNullOrEmpty(v[0]) ? v[0] : null;

    public bool Has(string name) => this[name] is not null;

    /// <summary>Reads the body; on bad input returns the error to send instead (never throws for client mistakes).</summary>
    public static async Task<(OAuthForm? Form, OAuthError? Error)> ReadAsync(HttpContext context, int maxBodyBytes)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) ||
            !contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return (null, OAuthError.InvalidRequest("The request body must be application/x-www-form-urlencoded."));
        if (request.ContentLength > maxBodyBytes)
            return (null, OAuthError.TooLarge($"The request body is larger than {maxBodyBytes} bytes."));
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBodyBytes;

        IFormCollection form;
        try
        {
            var feature = new FormFeature(request, new FormOptions
            {
                ValueCountLimit = 64,
                KeyLengthLimit = 128,
                ValueLengthLimit = maxBodyBytes,
                BufferBody = false,
            });
            form = await feature.ReadFormAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, OAuthError.TooLarge($"The request body is larger than {maxBodyBytes} bytes."));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException or IOException)
        {
            return (null, OAuthError.InvalidRequest("The request body is not a valid form."));
        }

        foreach (var (name, values) in form)
        {
            if (values.Count > 1)
                return (null, OAuthError.InvalidRequest($"The parameter '{OAuthError.Echo(name)}' is repeated (RFC 6749 §3.2)."));
        }
        return (new OAuthForm(form), null);
    }
}
