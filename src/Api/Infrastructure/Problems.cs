using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.Api;

/// <summary>RFC 9457 problem details for the answers the API gives itself.</summary>
public static class Problems
{
    public static IResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"No {what.ToLowerInvariant()} has the id '{id}'.");

    public static IResult BadQuery(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "Invalid query parameter");

    public static async Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>Parses an optional enum query value; an unknown name is a 400 naming the field and the allowed values.</summary>
    public static bool TryParseFilter<TEnum>(string? value, string field, out TEnum? parsed, out IResult? error) where TEnum : struct, Enum
    {
        parsed = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (Enum.TryParse<TEnum>(value, ignoreCase: true, out var v) && Enum.IsDefined(v) && !int.TryParse(value, out _))
        {
            parsed = v;
            return true;
        }
        error = BadQuery(field, $"'{value}' is not one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return false;
    }
}
