using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.Api;

/// <summary>RFC 9457 problem details for the answers the API gives itself.</summary>
public static partial class Problems
{
    public static IResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"No {what.ToLowerInvariant()} has the id '{id}'.");

    public static IResult BadQuery(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "Invalid query parameter");

    public static Task Write(HttpContext context, int status, string title, string detail) =>
        Write(context, new ProblemDetails { Status = status, Title = title, Detail = detail });

    public static Task WriteValidation(HttpContext context, string field, string message) =>
        Write(context, new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest, Title = "Invalid request", Detail = message,
        });

    private static async Task Write(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status!.Value;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>The detail for an answer the framework gives without a body (no route, wrong method, wrong content type, too large).</summary>
    public static string DescribeStatus(int status, HttpOptions http) => status switch
    {
        404 => "No endpoint has this path; see /openapi/v1.json for the API.",
        405 => "This path does not accept this HTTP method; see /openapi/v1.json.",
        413 => $"The request body is larger than {http.MaxRequestBodyBytes} bytes.",
        415 => "The body must be JSON: send Content-Type: application/json.",
        _ => "See the status code.",
    };

    /// <summary>Parses an optional enum query value; an unknown name is a 400 naming the field and the allowed values.</summary>
    public static bool TryParseFilter<TEnum>(string? value, string field, out TEnum? parsed, out IResult? error) where TEnum : struct, Enum
    {
        parsed = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (EnumNames.TryParse<TEnum>(value, out var v))
        {
            parsed = v;
            return true;
        }
        // ?status=Closed&status=Merged arrives as "Closed,Merged": one value is taken (it said both were not in the list).
        error = value.Contains(',', StringComparison.Ordinal)
            ? BadQuery(field, $"'{value}': give one {field} (one of: {string.Join(", ", Enum.GetNames<TEnum>())}); several are not combined.")
            : BadQuery(field, $"'{value}' is not one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return false;
    }

    /// <summary>
    /// Parses an optional date-time query value: ISO 8601 with its offset (2026-12-01T00:00:00+08:00 or …Z). One without an offset
    /// (whose midnight?) or that does not parse is a 400 naming the field.
    /// </summary>
    public static bool TryParseInstant(string? value, string field, out DateTimeOffset? parsed, out IResult? error)
    {
        parsed = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        // A '+' typed into a URL unencoded arrives as a space (2026-12-01T00:00:00 08:00): a space is nowhere else in the form,
        // so the offset is unambiguous and is read as the '+' it was.
        var read = SpaceForPlus().Replace(value, "+$1");
        if (OffsetDateTimeConverter.TryParse(read, out var at))
        {
            parsed = at;
            return true;
        }
        error = BadQuery(field, OffsetDateTimeConverter.OutOfRange(read) ? $"'{value}' {OffsetDateTimeConverter.OutOfRangeWords}."
            : $"'{value}' is not an ISO 8601 date-time with an offset, such as 2026-12-01T00:00:00+08:00 " +
            "(in a URL the '+' must be sent as %2B: 2026-12-01T00:00:00%2B08:00), or 2026-11-30T16:00:00Z.");
        return false;
    }

    /// <summary>A time of day followed by a space and an offset of hh:mm, at the end: a '+' decoded as a space.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex SpaceForPlus();
}
