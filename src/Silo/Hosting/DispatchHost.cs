using HuaduDispatch.Api;
using HuaduDispatch.Api.Reference;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Grains.Dispatch;
using HuaduDispatch.Silo.Health;
using HuaduDispatch.Silo.Realtime;
using HuaduDispatch.Silo.Reference;
using HuaduDispatch.Silo.Schema;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace HuaduDispatch.Silo.Hosting;

/// <summary>Builds the one executable's app: the Orleans silo and the ASP.NET Core API co-hosted in one process.</summary>
public static class DispatchHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings files next to the binary, wherever the process is started from (as `migrate` and `token` read them): started
        // as `dotnet path/to/HuaduDispatch.Silo.dll` from another directory, the default content root (the working directory)
        // had no appsettings.json, so the node ran without its log levels and logged every request.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var settings = DispatchSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DispatchSettings.DefaultUrl);

        var authOptions = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var signingKey = SigningKeys.Resolve(authOptions);

        // In PostgreSQL mode the port and schema checks run before the silo (hosted services start in registration order).
        if (settings.UsesPostgres)
        {
            builder.Services.AddHostedService(_ => new PortCheck(settings));
            builder.Services.AddHostedService(sp => new SchemaCheck(settings.ConnectionString!, sp.GetRequiredService<ILogger<SchemaCheck>>()));
        }
        builder.UseOrleans(silo => OrleansSetup.Configure(silo, settings));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDispatchDomain(builder.Configuration);

        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddSingleton<ReferenceDataLoader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReferenceDataLoader>());
        builder.Services.AddHostedService<RelayRegistration>();
        builder.Services.AddSingleton<IReferenceDataReloader>(sp => sp.GetRequiredService<ReferenceDataLoader>());

        var health = builder.Services.AddHealthChecks().AddCheck<SiloReadyCheck>("silo", tags: ["ready"]);
        if (settings.UsesPostgres) health.AddCheck<PostgresReadyCheck>("postgres", tags: ["ready"]);

        builder.Services.AddDispatchApi(builder.Configuration, signingKey);
        Telemetry.Add(builder.Services, builder.Configuration, settings);

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HuaduDispatch");
        if (settings.UsesPostgres)
        {
            log.LogInformation("Storage: PostgreSQL (clustering, grain state and reminders are durable); cluster {ClusterId}, silo port {SiloPort}, gateway port {GatewayPort}",
                settings.ClusterId, settings.SiloPort, settings.GatewayPort);
        }
        else
        {
            log.LogWarning("Embedded mode: state is NOT durable (grain state and reminders are kept in memory and lost on exit). " +
                "To make it durable set ConnectionStrings__Dispatch to a PostgreSQL database, run `dotnet run --project src/Silo -- migrate`, then start again.");
        }
        if (signingKey.IsDevelopmentKey)
        {
            log.LogWarning("Auth: using the development signing key kept in {Path}; set Auth__SigningKey (32+ characters) in production", signingKey.DevKeyPath);
        }

        app.UseDispatchApi();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.Write }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.Write })
            .AllowAnonymous();
        app.MapDispatchApi();
        return app;
    }
}
