namespace Gatehouse.Samples.Medical.Endpoints;

/// <summary>
/// The two answers for objects a caller may not use. Anything outside the caller's department or hospitals is
/// <b>404</b>, exactly as if it did not exist, whether the id came from the path or the body (OWASP API1). Only an
/// appointment the caller can see but is not theirs to change is <b>403</b>: that reveals nothing they cannot read.
/// </summary>
internal static class Problems
{
    public static IResult NotFound(string what) =>
        Results.Json(new { error = "not_found", error_description = $"No such {what}." }, statusCode: StatusCodes.Status404NotFound);

    public static IResult NotYours(string description) =>
        Results.Json(new { error = "forbidden", error_description = description }, statusCode: StatusCodes.Status403Forbidden);

    public static IResult BadRequest(string description) =>
        Results.Json(new { error = "invalid_request", error_description = description }, statusCode: StatusCodes.Status400BadRequest);
}
