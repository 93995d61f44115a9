using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace HuaduDispatch.Api;

/// <summary>Turns a domain rule's refusal into 400/403/404/409 problem details, and a malformed request into a 400.</summary>
public sealed class DomainExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            DomainException d => d.Kind switch
            {
                DomainErrorKind.Invalid => new HttpValidationProblemDetails(new Dictionary<string, string[]> { [d.Field ?? "request"] = [d.Reason] })
                    { Status = StatusCodes.Status400BadRequest, Title = "Invalid request", Detail = d.Reason },
                DomainErrorKind.NotFound => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = d.Reason },
                DomainErrorKind.Forbidden => new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Forbidden", Detail = d.Reason },
                _ => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict with the current state", Detail = d.Reason },
            },
            BadHttpRequestException b => BadRequest(b),
            ReliefPlanningFailedException r => PlanningFailed(context, r.Failure, r.Message),
            _ => null,
        };
        if (problem is null) return false;
        if (problem.Status == StatusCodes.Status413PayloadTooLarge) context.Response.Headers.Connection = "close";
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// A relief solve that failed: 503 with Retry-After (the coordinator retries by itself then; the previous plan stays in force),
    /// the failure as the problem's extension <c>solveFailure</c>.
    /// </summary>
    public static ProblemDetails PlanningFailed(HttpContext context, ReliefSolveFailure failure, string detail)
    {
        var wait = failure.RetryAt - DateTimeOffset.UtcNow;
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(wait.TotalSeconds, 1))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable, Title = "Relief planning failed", Detail = detail,
            Extensions = { ["solveFailure"] = failure },
        };
    }

    /// <summary>Kestrel's and the JSON binder's refusals: 400 naming the field when the JSON says which, 413, 415.</summary>
    private static ProblemDetails BadRequest(BadHttpRequestException b)
    {
        var status = b.StatusCode;
        if (status == StatusCodes.Status413PayloadTooLarge)
            return new ProblemDetails { Status = status, Title = "Request body too large", Detail = b.Message };
        if (status == StatusCodes.Status415UnsupportedMediaType)
            return new ProblemDetails { Status = status, Title = "Unsupported media type", Detail = $"{b.Message} Send Content-Type: application/json." };
        if (b.InnerException is System.Text.Json.JsonException j)
        {
            var field = JsonField(j.Path);
            var reason = Readable(j.Message.Split(" Path: ", 2)[0]);
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [reason] })
            {
                Status = status, Title = "Malformed request", Detail = $"the body is not valid JSON for this request at '{field}': {reason}",
            };
        }
        if (status == StatusCodes.Status400BadRequest)
        {
            // E.g. no body where one is required, or a route or query value of the wrong type ("Failed to bind parameter "bool? open" ...").
            var parameter = System.Text.RegularExpressions.Regex.Match(b.Message, "parameter \"(?:[^\"]*\\s)?(\\w+)\"");
            var name = parameter.Success && !b.Message.Contains("body", StringComparison.OrdinalIgnoreCase) ? parameter.Groups[1].Value : "body";
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [name] = [b.Message] })
                { Status = status, Title = "Malformed request", Detail = b.Message };
        }
        return new ProblemDetails { Status = status, Title = "Malformed request", Detail = b.Message };
    }

    /// <summary>System.Text.Json names the .NET type it could not read; say instead what is accepted.</summary>
    public static string Readable(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"could not be converted to (?:System\.Nullable`1\[)?([\w.]+)");
        if (!m.Success) return message;
        var name = m.Groups[1].Value;
        var type = typeof(DomainException).Assembly.GetType(name);
        if (type is { IsEnum: true }) return $"the value is not one of: {string.Join(", ", Enum.GetNames(type))}";
        return name switch
        {
            "System.String" => "expected a string",
            "System.Int32" or "System.Int64" => "expected a whole number",
            "System.Double" or "System.Decimal" => "expected a number",
            "System.Boolean" => "expected true or false",
            "System.DateTimeOffset" or "System.DateTime" => "expected an ISO 8601 date and time, e.g. 2026-06-12T08:40:00+08:00",
            _ => $"expected a JSON value of the shape {type?.Name ?? name.Split('.')[^1]}",
        };
    }

    /// <summary>"$.location.lat" -> "location.lat"; the whole body when the JSON gives no path.</summary>
    public static string JsonField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
}
