using HuaduDispatch.Api.Agencies;
using HuaduDispatch.Api.Dispatch;
using HuaduDispatch.Api.Realtime;
using HuaduDispatch.Api.Reference;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.Api;

/// <summary>Wires the REST API and its cross-cutting parts (auth, problem details, JSON) into the co-hosted app.</summary>
public static class DispatchApi
{
    public static IServiceCollection AddDispatchApi(this IServiceCollection services, IConfiguration configuration, SigningKeys.Resolved signingKey)
    {
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddSingleton(auth);
        services.AddSingleton(signingKey);

        services.ConfigureHttpJsonOptions(o => DispatchJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<DomainExceptionHandler>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
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
                    OnChallenge = async ctx =>
                    {
                        ctx.HandleResponse();
                        ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        ctx.Response.Headers.WWWAuthenticate = "Bearer";
                        await Problems.Write(ctx.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required",
                            ctx.AuthenticateFailure is null
                                ? "Send a bearer token in the Authorization header."
                                : "The bearer token is not valid (signature, issuer, audience or lifetime).");
                    },
                    OnForbidden = ctx => Problems.Write(ctx.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                        "Your token's role may not use this endpoint."),
                };
            });
        services.AddAuthorization(Policies.Add);
        services.AddSignalR(o => o.AddFilter<DomainHubFilter>())
            .AddJsonProtocol(o => DispatchJson.Configure(o.PayloadSerializerOptions));
        services.AddSingleton<DomainHubFilter>();
        services.AddSingleton<DeltaRelay>();
        return services;
    }

    public static IEndpointRouteBuilder MapDispatchApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1");
        v1.MapReferenceApi();
        v1.MapIncidentApi();
        v1.MapTeamReportApi();
        v1.MapReliefApi();
        v1.MapAgencyApi();
        app.MapHub<DispatchHub>("/hubs/dispatch");
        app.MapHub<FieldHub>("/hubs/field");
        return app;
    }
}
