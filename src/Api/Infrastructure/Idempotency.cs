using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace HuaduDispatch.Api;

/// <summary>Configuration section "Idempotency".</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";
    /// <summary>How long a key and its response are kept (at least 24 hours by contract).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How long a first request may run before its claim on the key is taken to have died with its node.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Responses larger than this are not kept (the key is then released instead of replaying a cut body).</summary>
    public int MaxStoredResponseBytes { get; set; } = 256 * 1024;

    /// <summary>What is wrong with these settings, one message per problem naming its key (none when they can be used).</summary>
    public IEnumerable<string> Problems()
    {
        if (Retention <= TimeSpan.Zero) yield return $"Idempotency:Retention must be more than 0, was {Retention}";
        if (Lease <= TimeSpan.Zero) yield return $"Idempotency:Lease must be more than 0, was {Lease}";
        if (MaxStoredResponseBytes < 0) yield return $"Idempotency:MaxStoredResponseBytes must not be negative, was {MaxStoredResponseBytes}";
    }
}

/// <summary>
/// Idempotency-Key for every POST under /api/v1. The key is scoped to the client (role plus agency, team or token subject).
/// Same key and same request (method, path, query and body): the first response is replayed with "Idempotent-Replayed: true".
/// Same key and a different request: 422. The first request still running: 409 with Retry-After. 5xx, 401, 403 and 429
/// answers are not kept, so the client may retry them with the same key.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IGrainFactory grains, IdempotencyOptions options, TimeProvider clock, ILogger<IdempotencyMiddleware> logger)
{
    /// <summary>
    /// Seconds a retry should wait while the first request holds the key: 1 at first (it is most likely about to answer), then
    /// as long as it has run so far, never past the lease's end (when a request whose node died gives the key up). Until the
    /// twenty-ninth session it was always 1, and a client obeying it asked about 60 times after a crash.
    /// </summary>
    public static int RetryAfterSeconds(DateTimeOffset runningSince, DateTimeOffset now, TimeSpan lease)
    {
        var running = now - runningSince;
        var left = lease - running;
        var wait = Math.Min(Math.Max(1, running.TotalSeconds), left.TotalSeconds);
        return (int)Math.Max(1, Math.Ceiling(wait));
    }

    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>
    /// <see cref="HttpContext.Items"/> key of the request's idempotency key (the client's, hashed: <see cref="GrainKey"/>) with the
    /// request's <see cref="Fingerprint"/>, for the
    /// endpoints whose change must apply once even when the node dies before the response is kept (<see cref="For"/>).
    /// </summary>
    public const string ItemKey = "huadu.idempotency-key";

    /// <summary>The request's client-scoped idempotency key and fingerprint, or null when it has no key.</summary>
    public static string? For(HttpContext context) => context.Items.TryGetValue(ItemKey, out var key) ? key as string : null;
    private const int MaxKeyLength = 255;

    public Task InvokeAsync(HttpContext context)
    {
        // Without a key the request passes straight through (no async frame of its own: most requests carry no key).
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.StartsWithSegments("/api/v1") ||
            !context.Request.Headers.TryGetValue(Header, out var values) || context.User.Identity?.IsAuthenticated != true)
            return next(context);
        return WithKey(context, values);
    }

    private async Task WithKey(HttpContext context, StringValues values)
    {
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > MaxKeyLength || key.Any(c => c < 0x21 || c > 0x7e))
        {
            await Problems.WriteValidation(context, Header, $"{Header} must be one value of 1 to {MaxKeyLength} visible ASCII characters (a UUID is a good choice).");
            return;
        }

        var body = await ReadBody(context);
        var fingerprint = Fingerprint(context.Request, body);
        var grainKey = GrainKey(context.User, key);
        context.Items[ItemKey] = $"{grainKey}|{fingerprint}"; // the same request under the same key, even after the key's retention
        var grain = grains.Grain<IIdempotencyGrain>(grainKey);
        var decision = await grain.Begin(fingerprint, options.Retention, options.Lease);
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                await Replay(context, decision.Response!);
                return;
            case IdempotencyOutcome.Mismatch:
                await Problems.Write(context, StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                    $"The {Header} '{key}' was first used at {decision.FirstSeenAt:O} for a different request (method, path or body). Use a new key for a new request.");
                return;
            case IdempotencyOutcome.InProgress:
                var since = decision.RunningSince ?? clock.GetUtcNow();
                context.Response.Headers.RetryAfter = RetryAfterSeconds(since, clock.GetUtcNow(), options.Lease)
                    .ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.Write(context, StatusCodes.Status409Conflict, "Request in progress",
                    $"A request with the {Header} '{key}' is still being processed (since {since:O}); retry after the seconds in Retry-After to get " +
                    $"its response. If the node running it stopped, the key is free again {options.Lease.TotalSeconds:0} s after it started.");
                return;
        }

        var original = context.Response.Body;
        await using var capture = new MemoryStream();
        context.Response.Body = capture;
        var kept = false;
        try
        {
            try
            {
                await next(context);
            }
            catch (Exception e)
            {
                // A domain refusal or malformed body is answered (4xx) into the capture, so it is kept and replayed like any answer.
                if (!await HandledHere(context, e)) throw;
            }
            var status = context.Response.StatusCode;
            if (Keep(status) && capture.Length <= options.MaxStoredResponseBytes)
            {
                await grain.Complete(fingerprint, new StoredResponse
                {
                    Status = status,
                    ContentType = context.Response.ContentType,
                    Location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
                    Body = capture.ToArray(),
                });
                kept = true;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!kept)
            {
                try { await grain.Abandon(fingerprint); }
                catch (Exception e) { logger.LogWarning(e, "Could not clear the stored claim of Idempotency-Key {Key}; the key is free on this node, and the stored claim frees itself after the lease", key); }
            }
        }
        capture.Position = 0;
        await capture.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task<bool> HandledHere(HttpContext context, Exception e)
    {
        if (context.Response.HasStarted) return false;
        foreach (var handler in context.RequestServices.GetServices<IExceptionHandler>())
        {
            if (await handler.TryHandleAsync(context, e, context.RequestAborted)) return true;
        }
        return false;
    }

    /// <summary>Answers worth replaying: success and the client's own errors that the same request would get again.</summary>
    public static bool Keep(int status) => status < 500 && status is not (401 or 403 or 408 or 429);

    public static string GrainKey(ClaimsPrincipal user, string key)
    {
        var client = user.ToActor().ClientId();
        return "idem-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{client}\n{key}")));
    }

    public static string Fingerprint(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<byte[]> ReadBody(HttpContext context)
    {
        context.Request.EnableBuffering();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted); // Kestrel's body size limit applies (413)
        context.Request.Body.Position = 0;
        return buffer.ToArray();
    }

    private static async Task Replay(HttpContext context, StoredResponse response)
    {
        context.Response.StatusCode = response.Status;
        if (response.ContentType is { } type) context.Response.ContentType = type;
        if (response.Location is { } location) context.Response.Headers.Location = location;
        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }
}
