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
            BadHttpRequestException b => new ProblemDetails
            {
                Status = b.StatusCode, Title = "Malformed request",
                Detail = b.InnerException is System.Text.Json.JsonException j ? $"the body is not valid JSON for this request: {j.Message}" : b.Message,
            },
            _ => null,
        };
        if (problem is null) return false;
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }
}
