using System.Security.Claims;
using HuaduDispatch.Api.Agencies;
using HuaduDispatch.Api.Dispatch;
using HuaduDispatch.Api.Realtime;
using HuaduDispatch.Api.Reference;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Api.Standards;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Api;

/// <summary>Wires the REST API and its cross-cutting parts (auth, problem details, JSON) into the co-hosted app.</summary>
public static class DispatchApi
{
    public static IServiceCollection AddDispatchApi(this IServiceCollection services, IConfiguration configuration, SigningKeys.Resolved signingKey)
    {
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddSingleton(auth);
        services.AddSingleton(signingKey);

        var http = configuration.GetSection(HttpOptions.Section).Get<HttpOptions>() ?? new HttpOptions();
        var idempotency = configuration.GetSection(IdempotencyOptions.Section).Get<IdempotencyOptions>() ?? new IdempotencyOptions();
        // Checked at start, like the grains' settings: a node that would refuse every request (a rate of 0, strings of at most
        // 0 characters) or keep no idempotency key does not start, and says which setting to mend.
        if (http.Problems().Concat(idempotency.Problems()).ToList() is { Count: > 0 } problems)
            throw new InvalidOperationException("Settings the node cannot use: " + string.Join("; ", problems));
        services.AddHttpHardening(http);
        // Request bodies in the Chinese code pages (GBK, GB2312, GB18030) and Big5 are read when labelled so (UseCharsetChecks).
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = http.MaxRequestBodyBytes);
        services.AddSingleton(idempotency);
        // Malformed input is always a BadHttpRequestException, answered by DomainExceptionHandler as problem details naming the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            DispatchJson.Configure(o.SerializerOptions);
            HttpHardening.LimitJson(o.SerializerOptions, http);
        });
        services.AddDispatchOpenApi();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            // ASP.NET Core gives a type URI only to the statuses it knows; these are ours too.
            c.ProblemDetails.Type ??= c.ProblemDetails.Status switch
            {
                StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
                _ => null,
            };
        });
        services.AddExceptionHandler<DomainExceptionHandler>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                // Validated tokens are cached until they expire (CachingTokenHandler): a radio sends the same token all shift.
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(new CachingTokenHandler { MapInboundClaims = false });
                o.MapInboundClaims = false;
                o.TokenValidationParameters = TokenIssuer.ValidationParameters(auth, signingKey.Key);
                o.Events = new JwtBearerEvents
                {
                    // SignalR clients in browsers cannot set headers on WebSockets: accept access_token on /hubs only.
                    OnMessageReceived = ctx =>
                    {
                        if (ctx.HttpContext.Request.Path.StartsWithSegments("/hubs") &&
                            ctx.Request.Query.TryGetValue("access_token", out var token) && !string.IsNullOrEmpty(token))
                        {
                            ctx.Token = token;
                        }
                        return Task.CompletedTask;
                    },
                    // An agency token counts only while the registry holds its agency, not retired (AgencyStanding).
                    OnTokenValidated = async ctx =>
                    {
                        if (ctx.Principal?.IsInRole(Roles.Agency) != true) return;
                        var standing = ctx.HttpContext.RequestServices.GetRequiredService<AgencyStanding>();
                        string? refusal;
                        try
                        {
                            refusal = await standing.Refusal(ctx.Principal.FindFirstValue(Claims.AgencyId));
                        }
                        catch (Exception e) when (TransientFaults.Describe(e, read: true) is not null)
                        {
                            throw new AgencyStandingUnavailableException(e); // a 503 that says nothing was done
                        }
                        if (refusal is not null) ctx.Fail(new AgencyNotInStandingException(refusal));
                    },
                    OnChallenge = async ctx =>
                    {
                        ctx.HandleResponse();
                        ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        ctx.Response.Headers.WWWAuthenticate = "Bearer";
                        await Problems.Write(ctx.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required",
                            ctx.AuthenticateFailure is AgencyNotInStandingException refused ? refused.Message
                            : ctx.AuthenticateFailure is null
                                ? ctx.Request.Path.StartsWithSegments("/hubs")
                                    ? "Send a bearer token in the Authorization header, or as access_token in the query string (WebSockets in a browser)."
                                    : "Send a bearer token in the Authorization header."
                                : "The bearer token is not valid (signature, issuer, audience or lifetime).");
                    },
                    OnForbidden = ctx => Problems.Write(ctx.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                        "Your token's role may not use this endpoint."),
                };
            });
        services.AddAuthorization(Policies.Add);
        services.AddSignalR(o =>
            {
                o.AddFilter<HubRateLimitFilter>(); // first: a refused call does nothing
                o.AddFilter<DomainHubFilter>();
            })
            .AddJsonProtocol(o =>
            {
                DispatchJson.Configure(o.PayloadSerializerOptions);
                // A misspelt field, or a time without its offset, in a hub argument is refused, as in a request body.
                HttpHardening.StrictInput(o.PayloadSerializerOptions);
            });
        // The JSON protocol, with calls whose arguments do not bind answered with a 400 (see ArgumentCheckingHubProtocol).
        services.RemoveAll<Microsoft.AspNetCore.SignalR.Protocol.IHubProtocol>();
        services.AddSingleton<Microsoft.AspNetCore.SignalR.Protocol.IHubProtocol, ArgumentCheckingHubProtocol>();
        services.AddSingleton<HubRateLimitFilter>();
        services.AddSingleton<DomainHubFilter>();
        // DomainHubFilter logs failed hub calls itself: server faults at Error, a client's refused call at Debug. SignalR's own
        // Error for every failed call (client refusals included) is the only thing this category logs above Debug.
        services.AddLogging(b => b.AddFilter(DomainHubFilter.SignalRDispatcherCategory, LogLevel.None));
        services.AddSingleton<DeltaRelay>();
        services.AddSingleton<HubConnections>();
        services.AddSingleton<AgencyStanding>();
        services.AddHostedService<AgencyStandingSweep>();
        return services;
    }

    /// <summary>
    /// The request pipeline in order: problem details for anything that fails, security headers, CORS, the API reference page,
    /// authentication, per-client rate limiting, authorization, then Idempotency-Key replay around the endpoints. CORS and the
    /// rate limiter are in the pipeline only when configured on (Http:CorsOrigins, Http:RateLimit:Enabled).
    /// </summary>
    public static IApplicationBuilder UseDispatchApi(this IApplicationBuilder app)
    {
        var http = app.ApplicationServices.GetRequiredService<HttpOptions>();
        // HEAD is answered as GET without the body (RFC 9110 9.3.2), before routing, which knows the GET routes only.
        app.UseHeadAsGet();
        app.UseRouting();
        app.UseExceptionHandler();
        app.UseStatusCodePages(context => Problems.Write(context.HttpContext, context.HttpContext.Response.StatusCode,
            ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode), Problems.DescribeStatus(context.HttpContext.Response.StatusCode, http)));
        app.UseSecurityHeaders(http);
        if (http.CorsOrigins.Length > 0) app.UseCors(HttpHardening.CorsPolicy); // off unless origins are configured
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.DocumentTitle = "HuaduDispatch API reference";
            o.SwaggerEndpoint(OpenApiSetup.DocumentPath, "HuaduDispatch v1");
        });
        app.UseAuthentication();
        if (http.RateLimit.Enabled) app.UseRateLimiter();
        HubConnections.UseHubConnectionLimit(app, app.ApplicationServices.GetRequiredService<HubConnections>());
        app.UseAuthorization();
        app.UseAdminAudit();
        app.UseQueryChecks();
        app.UseRouteChecks();
        app.UseCharsetChecks();
        app.UseContentEncodingChecks();
        app.UseNoBodyChecks();
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    public static IEndpointRouteBuilder MapDispatchApi(this IEndpointRouteBuilder app)
    {
        app.MapDispatchOpenApi();
        var v1 = app.MapGroup("/api/v1");
        v1.MapReferenceApi();
        v1.MapIncidentApi();
        v1.MapTeamReportApi();
        v1.MapReliefApi();
        v1.MapEidoApi().MapGeoJsonApi();
        v1.MapAgencyApi();
        // A hub connection lasts no longer than the token it was opened with: a console or radio whose token has expired is
        // closed, and its client connects again with a fresh one (then resyncs).
        app.MapHub<DispatchHub>("/hubs/dispatch", o => o.CloseOnAuthenticationExpiration = true);
        app.MapHub<FieldHub>("/hubs/field", o => o.CloseOnAuthenticationExpiration = true);
        return app;
    }
}
