using System.Net;
using Microsoft.Extensions.Configuration;

namespace HuaduDispatch.Silo.Hosting;

/// <summary>The host's configuration keys in one place (the README lists the same keys).</summary>
public sealed record DispatchSettings
{
    public const string DefaultUrl = "http://localhost:5080";

    public string? ConnectionString { get; init; }
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(ConnectionString);
    public string ClusterId { get; init; } = "huadu-dispatch";
    public string ServiceId { get; init; } = "huadu-dispatch";
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public IPAddress? AdvertisedIPAddress { get; init; }
    public string? AdvertisedHost { get; init; }
    public bool ListenOnAnyHostAddress { get; init; } = true;
    public string ReferenceDataPath { get; init; } = "";
    public string TelemetryExporter { get; init; } = "none";
    /// <summary>
    /// Orleans' default placement for grains without a placement of their own: <c>ResourceOptimized</c> (Orleans' default since
    /// 9.2: by the silos' CPU and memory), <c>Random</c> or <c>PreferLocal</c> (the silo whose call activates the grain).
    /// </summary>
    public string DefaultPlacement { get; init; } = "ResourceOptimized";
    /// <summary>Traces and metrics go to an exporter (Telemetry:Exporter otlp or console); trace context then follows grain calls.</summary>
    public bool ExportsTelemetry => TelemetryExporter is not ("none" or "");

    public static DispatchSettings From(IConfiguration c)
    {
        var ip = c["Orleans:Endpoints:AdvertisedIPAddress"];
        IPAddress? advertised = null;
        if (!string.IsNullOrWhiteSpace(ip) && !IPAddress.TryParse(ip, out advertised))
            throw new InvalidOperationException($"Orleans:Endpoints:AdvertisedIPAddress '{ip}' is not an IP address.");
        return new DispatchSettings
        {
            ConnectionString = c.GetConnectionString("Dispatch") is { } cs && !string.IsNullOrWhiteSpace(cs)
                ? Storage.PostgresConnectionDefaults.Apply(cs)
                : null,
            ClusterId = c["Orleans:ClusterId"] ?? "huadu-dispatch",
            ServiceId = c["Orleans:ServiceId"] ?? "huadu-dispatch",
            SiloPort = Port(c, "Orleans:Endpoints:SiloPort", 11111),
            GatewayPort = Port(c, "Orleans:Endpoints:GatewayPort", 30000),
            AdvertisedIPAddress = advertised,
            AdvertisedHost = c["Orleans:Endpoints:AdvertisedHost"],
            ListenOnAnyHostAddress = c.GetValue("Orleans:Endpoints:ListenOnAnyHostAddress", true),
            ReferenceDataPath = c["ReferenceData:Path"] is { Length: > 0 } p
                ? Path.GetFullPath(p)
                : Path.Combine(AppContext.BaseDirectory, "ReferenceData", "huadu-reference.json"),
            TelemetryExporter = (c["Telemetry:Exporter"] ?? "none").Trim().ToLowerInvariant(),
            DefaultPlacement = c["Orleans:DefaultPlacement"] is { Length: > 0 } placement
                ? Placements.FirstOrDefault(p => string.Equals(p, placement.Trim(), StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidOperationException($"Orleans:DefaultPlacement '{placement}' is not one of {string.Join(", ", Placements)}.")
                : "ResourceOptimized",
        };
    }

    /// <summary>The values <see cref="DefaultPlacement"/> takes.</summary>
    public static readonly string[] Placements = ["ResourceOptimized", "Random", "PreferLocal"];

    private static int Port(IConfiguration c, string key, int fallback)
    {
        var text = c[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (int.TryParse(text, out var port) && port is > 0 and < 65536) return port;
        throw new InvalidOperationException($"{key} '{text}' is not a TCP port.");
    }
}
