using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using HuaduDispatch.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Api;

/// <summary>Configuration section "Http": limits on what a client may send, per-client rate limiting, CORS and security headers.</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";
    /// <summary>Largest request body Kestrel accepts (413 beyond it).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
    /// <summary>Deepest JSON nesting accepted in a request body (400 beyond it).</summary>
    public int MaxJsonDepth { get; set; } = 32;
    /// <summary>Longest JSON string value accepted in a request body (400 beyond it, naming the field).</summary>
    public int MaxStringLength { get; set; } = 4000;
    public RateLimitOptions RateLimit { get; set; } = new();
    /// <summary>Hub connections one client (as the rate limiter counts clients) may have open on a node at once (429 beyond it).</summary>
    public int MaxHubConnectionsPerClient { get; set; } = 500;
    /// <summary>Origins allowed to call the API from a browser (CORS); empty means no cross-origin access.</summary>
    public string[] CorsOrigins { get; set; } = [];
    /// <summary>Headers added to every response; set one to "" to drop it.</summary>
    public Dictionary<string, string> SecurityHeaders { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["X-Content-Type-Options"] = "nosniff",
        ["X-Frame-Options"] = "DENY",
        ["Referrer-Policy"] = "no-referrer",
        ["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'",
        ["Cross-Origin-Resource-Policy"] = "same-origin",
        ["Cache-Control"] = "no-store",
    };
    /// <summary>The browsable API reference (/docs) needs scripts and styles from this server.</summary>
    public string DocsContentSecurityPolicy { get; set; } =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    /// <summary>What is wrong with these settings, one message per problem naming its key (none when they can be used).</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxRequestBodyBytes < 1) yield return $"Http:MaxRequestBodyBytes must be at least 1, was {MaxRequestBodyBytes}";
        // System.Text.Json reads a MaxDepth of 0 as its default of 64.
        if (MaxJsonDepth < 1) yield return $"Http:MaxJsonDepth must be at least 1, was {MaxJsonDepth}";
        if (MaxStringLength < 1) yield return $"Http:MaxStringLength must be at least 1, was {MaxStringLength}";
        if (MaxHubConnectionsPerClient < 1) yield return $"Http:MaxHubConnectionsPerClient must be at least 1, was {MaxHubConnectionsPerClient}";
        if (RateLimit is null) yield break;
        if (RateLimit.Enabled && RateLimit.PermitsPerSecond < 1)
            yield return $"Http:RateLimit:PermitsPerSecond must be at least 1 (or Http:RateLimit:Enabled false), was {RateLimit.PermitsPerSecond}";
        if (RateLimit.Enabled && RateLimit.Burst < 1)
            yield return $"Http:RateLimit:Burst must be at least 1 (or Http:RateLimit:Enabled false), was {RateLimit.Burst}";
    }
}

/// <summary>A token bucket per client (role plus agency, team or subject; the remote address when anonymous).</summary>
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Sustained requests per second per client.</summary>
    public int PermitsPerSecond { get; set; } = 50;
    /// <summary>Requests a client may send at once before it must wait for tokens.</summary>
    public int Burst { get; set; } = 100;
}

public static class HttpHardening
{
    public const string CorsPolicy = "dispatch-cors";

    public static IServiceCollection AddHttpHardening(this IServiceCollection services, HttpOptions options)
    {
        services.AddSingleton(options);
        services.AddCors(o => o.AddPolicy(CorsPolicy, p =>
        {
            if (options.CorsOrigins.Length > 0)
                p.WithOrigins(options.CorsOrigins).AllowAnyHeader().AllowAnyMethod().AllowCredentials()
                 .WithExposedHeaders("Location", "Retry-After", "ETag", IdempotencyMiddleware.ReplayedHeader);
        }));
        var buckets = new ClientRateLimiter(options.RateLimit);
        services.AddSingleton(_ => buckets); // by a factory, so the container disposes it with the node
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = buckets.Buckets.WithTranslatedKey<HttpContext>(context =>
                // the limiter is in the pipeline only when enabled; the health probes are never limited
                context.Request.Path.StartsWithSegments("/health") ? ClientRateLimiter.Unlimited : ClientKey(context), leaveOpen: true);
            o.OnRejected = async (ctx, token) =>
            {
                var retryAfter = ClientRateLimiter.RetryAfterSeconds(ctx.Lease);
                ctx.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(ctx.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests", buckets.Refusal(retryAfter));
            };
        });
        return services;
    }

    /// <summary>Who a request counts against: the token's client, or the remote address when there is no token.</summary>
    public static string ClientKey(HttpContext context) => ClientKey(context.User, context.Connection.RemoteIpAddress);

    public static string ClientKey(System.Security.Claims.ClaimsPrincipal? user, System.Net.IPAddress? remote) =>
        user?.Identity?.IsAuthenticated == true ? user.ToActor().ClientId() : "ip|" + (remote?.ToString() ?? "unknown");

    /// <summary>Adds the configured security headers to every response (a looser CSP on the API reference page).</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, HttpOptions options)
    {
        // One callback for all requests, given the request's context as its state: nothing is allocated per request here.
        Func<object, Task> addHeaders = state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            foreach (var (name, value) in options.SecurityHeaders)
            {
                if (string.IsNullOrEmpty(value) || headers.ContainsKey(name)) continue;
                headers[name] = name.Equals("Content-Security-Policy", StringComparison.OrdinalIgnoreCase) && context.Request.Path.StartsWithSegments("/docs")
                    ? options.DocsContentSecurityPolicy
                    : value;
            }
            if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000";
            return Task.CompletedTask;
        };
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(addHeaders, context);
            return next(context);
        });
    }

    /// <summary>
    /// A query value holding a NUL character (%00) is a 400 naming the parameter, as such a string is in a body
    /// (<see cref="BoundedStringConverter"/>): an id in the query (<c>?incidentId=</c>) becomes a grain key, which PostgreSQL
    /// cannot hold. Paths cannot hold one: Kestrel refuses a %00 there itself.
    /// On <c>/api</c>, since the thirtieth session, a value longer than <see cref="MaxRouteValueLength"/> is a 400 too (as a
    /// path id is), not quoted back: it was, whole. (The hubs' query strings carry the token, longer than that.) A blank value
    /// is no filter, as documented for <c>areaId</c>.
    /// </summary>
    public static IApplicationBuilder UseQueryChecks(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.QueryString.Value is { } raw && raw.Contains("%00", StringComparison.Ordinal))
        {
            foreach (var (name, values) in context.Request.Query)
            {
                if (values.Select(v => v is null ? null : BoundedStringConverter.Problem(v)).FirstOrDefault(p => p is not null) is { } problem)
                    return Problems.WriteValidation(context, name, $"{name} {problem}");
            }
        }
        if (context.Request.QueryString.HasValue && context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var (name, values) in context.Request.Query)
            {
                foreach (var value in values)
                {
                    if (value is null) continue;
                    if (value.Length > MaxRouteValueLength)
                        return Problems.WriteValidation(context, Quote(name), $"{Quote(name)} is {value.Length} characters long (at most {MaxRouteValueLength})");
                }
            }
        }
        return next(context);
    });

    /// <summary>
    /// The charset of a request body. UTF-8 is what JSON is (RFC 8259), and other encodings the node knows are read too: since
    /// the twenty-third session that includes the Chinese code pages (GBK, GB2312, GB18030, Big5) and Windows ones
    /// (<see cref="System.Text.CodePagesEncodingProvider"/>, registered by <c>AddDispatchApi</c>). The common spellings
    /// <c>utf8</c>, a quoted <c>"utf-8"</c> and an empty charset mean UTF-8. A charset that names no encoding is a 415 that says
    /// to send UTF-8. Before, each of these made every JSON POST a 500 (ASP.NET Core's JSON reader throws for an unknown charset).
    /// A request without a body (a GET, a probe) is not checked: its charset labels nothing. A charset .NET knows but will not
    /// read (UTF-7, disabled since .NET 5) is a 415 as well; until the thirtieth session it was a 500 on every request, the
    /// anonymous health probes included. The charset is quoted back cut to <see cref="MaxQuotedLength"/> characters.
    /// </summary>
    public static IApplicationBuilder UseCharsetChecks(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var contentType = context.Request.ContentType;
        if (CannotHaveBody(context)) return next(context);
        if (contentType is null || !contentType.Contains("charset", StringComparison.OrdinalIgnoreCase)
            || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.Charset.HasValue)
            return next(context);
        var given = media.Charset.Value!;
        var name = given.Trim().Trim('"', '\'').Trim();
        if (name.Length == 0 || name.Equals("utf8", StringComparison.OrdinalIgnoreCase)) name = "utf-8";
        try
        {
            _ = System.Text.Encoding.GetEncoding(name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return Problems.Write(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"charset '{Quote(given)}' names no encoding this node reads: send the body as UTF-8 (charset=utf-8, or no charset)");
        }
        if (name != given)
        {
            media.Charset = name;
            context.Request.ContentType = media.ToString();
        }
        return next(context);
    });

    /// <summary>
    /// A body sent compressed (<c>Content-Encoding: gzip</c>, <c>br</c>, ...) is a 415 that says to send it uncompressed: the node
    /// reads no content coding, and until the thirtieth session the JSON reader answered "'0x1F' is an invalid start of a value".
    /// <c>identity</c> is no coding.
    /// </summary>
    public static IApplicationBuilder UseContentEncodingChecks(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var coding = context.Request.Headers.ContentEncoding.ToString().Trim();
        if (CannotHaveBody(context)) return next(context);
        if (coding.Length == 0 || coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) return next(context);
        context.Response.Headers.AcceptEncoding = "identity";
        return Problems.Write(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
            $"Content-Encoding '{Quote(coding)}' is not read here: send the body uncompressed (no Content-Encoding)");
    });

    /// <summary>
    /// A HEAD request is routed and answered as the GET it names, with the same status and headers and no body (RFC 9110
    /// requires HEAD wherever GET is). Until the thirtieth session every GET route answered HEAD with 405.
    /// </summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }
        context.Request.Method = HttpMethods.Get;
        var body = context.Response.Body;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
            context.Request.Method = HttpMethods.Head;
        }
    });

    /// <summary>
    /// A body sent to an <c>/api</c> endpoint that takes none (a re-plan, a reload, a replay, a deactivation) is a 400, as a
    /// field a body does not have is: until the thirtieth session it was ignored with a 200, so a <c>{"reason": ...}</c> sent
    /// with a warehouse's deactivation was dropped without a word. An empty body, or <c>{}</c>, is no body. Runs after routing.
    /// </summary>
    public static IApplicationBuilder UseNoBodyChecks(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
            || !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || context.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null
            // Routing's own endpoint for a method the path does not take: its 405 with Allow says more than a 400 about the body.
            || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods: var methods } || !methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase)
            || CannotHaveBody(context))
        {
            await next(context);
            return;
        }
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var text = string.Concat((await reader.ReadToEndAsync(context.RequestAborted)).Where(c => !char.IsWhiteSpace(c)));
        request.Body.Position = 0;
        if (text.Length == 0 || text == "{}")
        {
            await next(context);
            return;
        }
        await Problems.WriteValidation(context, "body", "this request takes no body: send none (what it carried would be ignored)");
    });

    /// <summary>
    /// Logs every change an admin token makes through the API that succeeds (category <c>HuaduDispatch.Audit</c>, Information):
    /// who (the token's subject), the method and path (ids, never bodies or secrets), and the status. Until the thirtieth
    /// session a response plan replacement, a reference data reload, an agency's or a webhook's change or a replay left no
    /// trace of who made it or when.
    /// </summary>
    public static IApplicationBuilder UseAdminAudit(this IApplicationBuilder app)
    {
        var audit = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("HuaduDispatch.Audit");
        return app.Use(async (context, next) =>
        {
            await next(context);
            var method = context.Request.Method;
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) return;
            if (context.Response.StatusCode is < 200 or >= 300 || !context.User.IsInRole(HuaduDispatch.Contracts.Roles.Admin)) return;
            audit.LogInformation("Admin {Subject} {Method} {Path} answered {Status}", context.User.ToActor().Subject, method,
                context.Request.Path.Value, context.Response.StatusCode);
        });
    }

    /// <summary>A request that carries no body (a GET, a probe): Kestrel says so from its framing (no length, not chunked).</summary>
    private static bool CannotHaveBody(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false };

    /// <summary>The most characters of a client's value quoted back in a message; a longer one is cut and marked.</summary>
    public const int MaxQuotedLength = 64;

    /// <summary>A client's value as a message quotes it: whole up to <see cref="MaxQuotedLength"/> characters, else cut with "...".</summary>
    public static string Quote(string value) => value.Length <= MaxQuotedLength ? value : value[..MaxQuotedLength] + "...";

    /// <summary>The longest id a path may carry (<see cref="UseRouteChecks"/>).</summary>
    public const int MaxRouteValueLength = 256;

    /// <summary>
    /// A path id made only of whitespace (<c>/incidents/%20</c>, a no-break or ideographic space) names nothing: a 404, before
    /// the endpoint makes it a grain key, which Orleans refuses with an exception (a 500 until the twenty-first session); nor
    /// does one longer than <see cref="MaxRouteValueLength"/>.
    /// </summary>
    public static IApplicationBuilder UseRouteChecks(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is not string text) continue;
            if (string.IsNullOrWhiteSpace(text))
                return Problems.Write(context, StatusCodes.Status404NotFound, "Not found", $"No resource has a blank {name}.");
            // No id is this long (ours are tens of characters, a registry's at most 64): answered without activating a record
            // for it, and without quoting it back (a 5,000-character id came back whole in the 404, twenty-eighth session).
            if (text.Length > MaxRouteValueLength)
                return Problems.Write(context, StatusCodes.Status404NotFound, "Not found",
                    $"No {name} is {text.Length} characters long (at most {MaxRouteValueLength}).");
        }
        return next(context);
    });

    /// <summary>
    /// What a client sends, in a body or a hub argument, is read strictly: no field the request does not have, no field twice
    /// (<c>{"status":"Cancelled","status":"Loading"}</c> was read as Loading, the last copy winning), and times only with their
    /// offset (<see cref="OffsetDateTimeConverter"/>).
    /// </summary>
    public static void StrictInput(JsonSerializerOptions json)
    {
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.AllowDuplicateProperties = false;
        if (!json.Converters.OfType<OffsetDateTimeConverter>().Any()) json.Converters.Add(new OffsetDateTimeConverter());
    }

    /// <summary>
    /// Request JSON limits: nesting depth, string length (a too-long string is a 400 naming its field), and no field the request
    /// does not have: a misspelt optional field (<c>"recieved"</c> in a delivery) would otherwise be dropped without a word and
    /// the request done as if it were absent. Stored state is read without this rule, so that a field no longer kept still loads.
    /// </summary>
    public static void LimitJson(JsonSerializerOptions json, HttpOptions options)
    {
        StrictInput(json);
        json.MaxDepth = options.MaxJsonDepth;
        if (!json.Converters.OfType<BoundedStringConverter>().Any()) json.Converters.Add(new BoundedStringConverter(options.MaxStringLength));
    }
}

/// <summary>Reads JSON strings no longer than a limit and without NUL characters; writes them unchanged.</summary>
public sealed class BoundedStringConverter(int maxLength) : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected a string, got {reader.TokenType}");
        var value = reader.GetString();
        if (value is not null && Problem(value, maxLength) is { } problem) throw new JsonException("the string " + problem);
        return value;
    }

    /// <summary>
    /// What is wrong with a string a client sent, said of it ("is 4001 characters long; ..."), or null: longer than
    /// <paramref name="maxLength"/>, or holding a NUL character. JSON may escape a NUL (\u0000), but PostgreSQL text cannot
    /// hold one: an id holding it (a team id to dispatch, an agency's source or external id) would fail as a grain key in
    /// PostgreSQL mode, and no field of the API needs it. The one rule for bodies, EIDOs, hub arguments and query values.
    /// </summary>
    public static string? Problem(string value, int maxLength = int.MaxValue) =>
        value.Length > maxLength ? $"is {value.Length} characters long; at most {maxLength} are accepted"
        : value.Contains('\0') ? "holds a NUL character (\\u0000), which is not accepted"
        : null;

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>
/// The per-client token buckets (<see cref="RateLimitOptions"/>), one per client key. REST requests (the rate-limiting
/// middleware) and hub method calls (<see cref="Realtime.HubRateLimitFilter"/>) draw on the same bucket, so a client has one
/// budget whichever way it calls: a radio cannot send over the field hub what the REST API would refuse it.
/// </summary>
public sealed class ClientRateLimiter(RateLimitOptions limits) : IDisposable
{
    /// <summary>The key that is never limited (the health probes).</summary>
    public const string Unlimited = "unlimited";

    public RateLimitOptions Limits { get; } = limits;

    public PartitionedRateLimiter<string> Buckets { get; } = PartitionedRateLimiter.Create<string, string>(key => key == Unlimited
        ? RateLimitPartition.GetNoLimiter(key)
        : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, limits.Burst),
            TokensPerPeriod = Math.Max(1, limits.PermitsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Whole seconds until a refused client may try again (at least 1).</summary>
    public static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;

    public string Refusal(int retryAfterSeconds) =>
        $"This client may send {Limits.PermitsPerSecond} requests per second (bursts up to {Limits.Burst}); retry after {retryAfterSeconds} s.";

    public void Dispose() => Buckets.Dispose();
}
