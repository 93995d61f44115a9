using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HuaduDispatch.Silo.Hosting;

/// <summary>OpenTelemetry traces and metrics: Orleans, ASP.NET Core, HttpClient, Npgsql, runtime. Exporter from Telemetry:Exporter.</summary>
public static class Telemetry
{
    public static void Add(IServiceCollection services, IConfiguration configuration, DispatchSettings settings)
    {
        if (!settings.ExportsTelemetry) return;
        if (settings.TelemetryExporter is not ("otlp" or "console"))
            throw new InvalidOperationException($"Telemetry:Exporter '{settings.TelemetryExporter}' is not one of: none, console, otlp.");

        var otlpEndpoint = configuration["Telemetry:OtlpEndpoint"];
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["Telemetry:ServiceName"] ?? "huadu-dispatch",
                serviceInstanceId: $"{Environment.MachineName}:{settings.SiloPort}"))
            .WithTracing(t =>
            {
                t.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (settings.TelemetryExporter == "otlp") t.AddOtlpExporter(o => { if (otlpEndpoint is { Length: > 0 }) o.Endpoint = new Uri(otlpEndpoint); });
                else t.AddConsoleExporter();
            })
            .WithMetrics(m =>
            {
                m.AddMeter("Microsoft.Orleans", "Npgsql", Storage.GroupCommitGrainStorage.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (settings.TelemetryExporter == "otlp") m.AddOtlpExporter(o => { if (otlpEndpoint is { Length: > 0 }) o.Endpoint = new Uri(otlpEndpoint); });
                else m.AddConsoleExporter();
            });
    }
}
