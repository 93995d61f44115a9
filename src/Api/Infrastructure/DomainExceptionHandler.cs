using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Api;

/// <summary>
/// Turns a domain rule's refusal into 400/403/404/409 problem details, a malformed request into a 400, and a transient fault
/// of the cluster or its database into a 503 with Retry-After.
/// </summary>
public sealed class DomainExceptionHandler(IProblemDetailsService problems, ILogger<DomainExceptionHandler> logger, HttpOptions http) : IExceptionHandler
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
                DomainErrorKind.PreconditionFailed => new ProblemDetails { Status = StatusCodes.Status412PreconditionFailed, Title = "Precondition failed", Detail = d.Reason },
                _ => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict with the current state", Detail = d.Reason },
            },
            BadHttpRequestException b => BadRequest(b),
            ReliefPlanningFailedException r => PlanningFailed(context, r.Failure, r.Message),
            Security.AgencyStandingUnavailableException a => Unavailable(context, a.InnerException ?? a, a.Message),
            _ => TransientFaults.Describe(exception, HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) is { } transient
                ? Unavailable(context, exception, transient) : null,
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

    /// <summary>
    /// 503 with Retry-After for a fault that a retry can get past (<see cref="TransientFaults"/>): a client's retry is safe, with
    /// an Idempotency-Key when the request may have taken effect. Logged at Warning, as the operators must learn that the
    /// database or the cluster is failing; a 500 would tell the client the request itself was at fault.
    /// </summary>
    private ProblemDetails Unavailable(HttpContext context, Exception exception, string detail)
    {
        logger.LogWarning(exception, "{Method} {Path} answered 503: {Detail}", context.Request.Method, context.Request.Path, detail);
        context.Response.Headers.RetryAfter = TransientFaults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "Temporarily unavailable", Detail = detail };
    }

    /// <summary>
    /// Kestrel's and the JSON binder's refusals: 400 naming the field when the JSON says which, 413, 415. A 413 or 415 has the
    /// title and detail it has when the status code pages write it (<see cref="Problems.DescribeStatus"/>), whichever path
    /// refused the request.
    /// </summary>
    private ProblemDetails BadRequest(BadHttpRequestException b)
    {
        var status = b.StatusCode;
        if (status is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType)
            return new ProblemDetails { Status = status, Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status), Detail = Problems.DescribeStatus(status, http) };
        if (b.InnerException is System.Text.Json.JsonException j)
        {
            var field = JsonField(j.Path);
            var reason = Readable(j.Message.Split(" Path: ", 2)[0], j.Path);
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
            // ASP.NET Core's words for an empty body or a JSON null ("Implicit body inferred for parameter ... Did you mean to use a
            // Service instead?") are meant for the endpoint's author, not for the client.
            var bind = System.Text.RegularExpressions.Regex.Match(b.Message, "^Failed to bind parameter \"(?<type>[^\"]*)\\s(?<name>\\w+)\" from \"(?<value>.*)\"\\.$");
            var detail = b.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase)
                ? "a JSON object is required as the body; the request had none, or it was null"
                : bind.Success ? $"'{bind.Groups["value"].Value}' is not a valid {bind.Groups["name"].Value}: expected {Expected(bind.Groups["type"].Value)}"
                : b.Message;
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [name] = [detail] })
                { Status = status, Title = "Malformed request", Detail = detail };
        }
        return new ProblemDetails { Status = status, Title = "Malformed request", Detail = b.Message };
    }

    /// <summary>
    /// System.Text.Json names the .NET type it could not read; say instead what is accepted. For a field of one of our records it
    /// often names the record that holds the field ("Assessment" for "affected": 1e3): then the field's own type, found by the
    /// last part of <paramref name="path"/>, says it.
    /// </summary>
    public static string Readable(string message, string? path = null)
    {
        // "JSON deserialization for type 'HuaduDispatch.Contracts.ItemQuantity' was missing required properties including: 'quantity'."
        var missing = System.Text.RegularExpressions.Regex.Match(message, @"missing required properties including: (?<names>.*?)\.?$");
        if (missing.Success) return $"required: {missing.Groups["names"].Value}";
        // "The JSON property 'recieved' could not be mapped to any .NET member contained in type '...'." (HttpHardening.LimitJson)
        // "Duplicate property 'status' encountered during deserialization of type '...'." (HttpHardening.StrictInput)
        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
            return "the field is sent twice (field names are case-insensitive): send it once";
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "no such field in this request (field names are case-insensitive; the API reference at /docs lists each request's fields)";
        var m = System.Text.RegularExpressions.Regex.Match(message, @"could not be converted to (?:System\.Nullable`1\[)?([\w.]*\w)");
        if (!m.Success) return message;
        var name = m.Groups[1].Value;
        // A list's type name carries its element type ("System.Collections.Generic.IReadOnlyList`1[[...]]"), which no lookup finds.
        if (name.StartsWith("System.Collections.", StringComparison.Ordinal)) return "expected a JSON array";
        var type = typeof(DomainException).Assembly.GetType(name) ?? Type.GetType(name);
        var field = path?.Split('.', '[')[^1].TrimEnd(']');
        if (type is { IsEnum: false, IsPrimitive: false } && type != typeof(string) && type != typeof(decimal) && type.Namespace == typeof(DomainException).Namespace)
        {
            if (string.IsNullOrEmpty(field) || field == "$") return "expected a JSON object";
            var property = type.GetProperty(field, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is null) return "expected a value of another type (the API reference at /docs has each field's type)";
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            name = type.FullName ?? type.Name;
        }
        // Only the values a client may send (a value the system records, such as a stock movement's Shipped, is refused anyway).
        if (type is { IsEnum: true }) return $"the value is not one of: {string.Join(", ", SystemOnlyAttribute.SendableNames(type))}";
        return name switch
        {
            "System.String" => "expected a string",
            "System.Int32" => "expected a whole number from -2147483648 to 2147483647",
            "System.Int64" => "expected a whole number",
            "System.Double" => "expected a number",
            "System.Decimal" => "expected a number of at most 28 digits",
            "System.Boolean" => "expected true or false",
            "System.DateTimeOffset" or "System.DateTime" => "expected an ISO 8601 date and time, e.g. 2026-06-12T08:40:00+08:00",
            _ when type is not null && type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) => "expected a JSON array",
            _ => $"expected a value of the shape {type?.Name ?? name.Split('.')[^1]}",
        };
    }

    /// <summary>What a route or query parameter of this C# type takes, in words ("Nullable&lt;bool&gt;" -> "true or false").</summary>
    private static string Expected(string type) => type.Replace("Nullable<", "").TrimEnd('>', '?') switch
    {
        "bool" or "Boolean" => "true or false",
        "int" or "Int32" or "long" or "Int64" => "a whole number",
        "double" or "Double" or "decimal" or "Decimal" => "a number",
        "DateTimeOffset" or "DateTime" => "an ISO 8601 date and time, e.g. 2026-06-12T08:40:00+08:00",
        var other => $"a value of type {other}",
    };

    /// <summary>"$.location.lat" -> "location.lat"; the whole body when the JSON gives no path.</summary>
    public static string JsonField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
}
