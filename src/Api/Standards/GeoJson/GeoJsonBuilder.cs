using System.Globalization;
using System.Text.Json.Serialization;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Standards.GeoJson;

/// <summary>An RFC 7946 Point: coordinates are [longitude, latitude] in WGS 84.</summary>
public sealed record GeoJsonPoint
{
    [JsonPropertyOrder(-1)] public string Type => "Point";
    public required IReadOnlyList<double> Coordinates { get; init; }
}

/// <summary>An RFC 7946 Feature with a Point geometry and flat properties a map can style by.</summary>
public sealed record GeoJsonFeature
{
    [JsonPropertyOrder(-2)] public string Type => "Feature";
    [JsonPropertyOrder(-1)] public required string Id { get; init; }
    public required GeoJsonPoint Geometry { get; init; }
    public required IReadOnlyDictionary<string, object> Properties { get; init; }
}

/// <summary>An RFC 7946 FeatureCollection (no "crs" member: RFC 7946 coordinates are always WGS 84).</summary>
public sealed record GeoJsonFeatureCollection
{
    [JsonPropertyOrder(-1)] public string Type => "FeatureCollection";
    public required IReadOnlyList<GeoJsonFeature> Features { get; init; }
}

/// <summary>A bounding box filter, "minLon,minLat,maxLon,maxLat" (the RFC 7946 bbox order).</summary>
public sealed record GeoBox(double MinLon, double MinLat, double MaxLon, double MaxLat)
{
    public bool Contains(double lon, double lat) => lon >= MinLon && lon <= MaxLon && lat >= MinLat && lat <= MaxLat;

    /// <summary>Parses the query value; null or empty means no filter. False with a reason when malformed.</summary>
    public static bool TryParse(string? text, out GeoBox? box, out string? error)
    {
        box = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var parts = text.Split(',');
        var values = new double[4];
        if (parts.Length != 4 || !parts.Select((p, i) => double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).All(ok => ok)
            || values.Any(v => !double.IsFinite(v)))
        {
            error = $"bbox '{text}' is not four numbers minLon,minLat,maxLon,maxLat";
            return false;
        }
        var (minLon, minLat, maxLon, maxLat) = (values[0], values[1], values[2], values[3]);
        if (minLon is < -180 or > 180 || maxLon is < -180 or > 180 || minLat is < -90 or > 90 || maxLat is < -90 or > 90)
        {
            error = "bbox longitudes must be within -180..180 and latitudes within -90..90";
            return false;
        }
        if (minLon > maxLon || minLat > maxLat)
        {
            error = "bbox must be minLon,minLat,maxLon,maxLat with min <= max";
            return false;
        }
        box = new GeoBox(minLon, minLat, maxLon, maxLat);
        return true;
    }
}

/// <summary>Builds the map layers as GeoJSON feature collections. Plain code: the endpoint fetches, this shapes.</summary>
public static class GeoJsonBuilder
{
    public const string Incidents = "incidents";
    public const string Teams = "teams";
    public const string Warehouses = "warehouses";
    public const string Shelters = "shelters";
    public const string RiskPoints = "risk-points";
    public const string HazardPoints = "hazard-points";

    public static IReadOnlyList<string> Layers { get; } = [Incidents, Teams, Warehouses, Shelters, RiskPoints, HazardPoints];

    /// <summary>Level colours: I red, II orange, III yellow, IV blue (the national four-colour scheme).</summary>
    public static string LevelColour(ResponseLevel level) => level switch
    {
        ResponseLevel.I => "red",
        ResponseLevel.II => "orange",
        ResponseLevel.III => "yellow",
        _ => "blue",
    };

    public static string TeamColour(TeamStatus status) => status switch
    {
        TeamStatus.Available => "green",
        TeamStatus.Assigned or TeamStatus.EnRoute => "orange",
        TeamStatus.OnScene => "red",
        TeamStatus.Returning => "blue",
        _ => "grey",
    };

    private static readonly IReadOnlyDictionary<string, string> Hex = new Dictionary<string, string>
    {
        ["red"] = "#d32f2f", ["orange"] = "#f57c00", ["yellow"] = "#fbc02d", ["blue"] = "#1976d2", ["green"] = "#388e3c", ["grey"] = "#9e9e9e",
    };

    /// <summary>
    /// Whether the incidents layer shows an incident: with no status asked for, every incident but a merged one (a duplicate of
    /// its survivor, which shows the case: until the thirty-third session it was a second point, as if live); with a status,
    /// those of that status (<c>?status=Merged</c> shows the duplicates, each with its <c>mergedInto</c>).
    /// </summary>
    public static bool OnIncidentsLayer(IncidentSummary incident, IncidentStatus? status) =>
        status is { } asked ? incident.Status == asked : incident.Status != IncidentStatus.Merged;

    public static GeoJsonFeatureCollection ForIncidents(IEnumerable<IncidentSummary> incidents, GeoBox? box = null, IncidentStatus? status = null) =>
        Collect(incidents.Where(i => OnIncidentsLayer(i, status)).OrderByDescending(i => i.OccurredAt), i => (i.Lon, i.Lat), box, i => (i.Id, Props(
            ("title", i.Title), ("type", i.Type.ToString()), ("category", i.Category.ToString()), ("status", i.Status.ToString()),
            ("level", i.ResponseLevel.ToString()), ("colour", LevelColour(i.ResponseLevel)), ("colourHex", Hex[LevelColour(i.ResponseLevel)]),
            ("areaId", i.AreaId), ("occurredAt", i.OccurredAt), ("assignedTeams", i.AssignedTeams), ("mergedInto", i.MergedInto))));

    public static GeoJsonFeatureCollection ForTeams(IEnumerable<RescueTeam> teams, GeoBox? box = null) =>
        Collect(teams, t => (t.Position.Lon, t.Position.Lat), box, t => (t.Id, Props(
            ("name", t.NameEn), ("nameZh", t.NameZh), ("status", t.Status.ToString()), ("colour", TeamColour(t.Status)),
            ("colourHex", Hex[TeamColour(t.Status)]), ("incidentId", t.IncidentId), ("capabilities", t.Capabilities.Select(c => c.ToString()).ToArray()),
            ("level", t.Level.ToString()), ("members", t.Members), ("areaId", t.AreaId), ("positionAt", t.Position.At))));

    public static GeoJsonFeatureCollection ForWarehouses(IEnumerable<Warehouse> warehouses, GeoBox? box = null) =>
        Collect(warehouses, w => (w.Position.Lon, w.Position.Lat), box, w => (w.Id, Props(
            ("name", w.NameEn), ("nameZh", w.NameZh), ("kind", w.Kind.ToString()), ("category", w.Category?.ToString()), ("areaId", w.AreaId),
            ("stockItems", w.Stock.Count), ("stockOnHand", w.Stock.Sum(s => s.OnHand)), ("stockReserved", w.Stock.Sum(s => s.Reserved)),
            ("stockAvailable", w.Stock.Sum(s => s.Available)), ("trucks", w.Fleet.Trucks))));

    public static GeoJsonFeatureCollection ForShelters(IEnumerable<ShelterLive> shelters, GeoBox? box = null) =>
        Collect(shelters, s => (s.Position.Lon, s.Position.Lat), box, s => (s.Id, Props(
            ("name", s.NameEn), ("nameZh", s.NameZh), ("kind", s.Kind.ToString()), ("areaId", s.AreaId), ("capacity", s.Capacity),
            ("occupancy", s.Occupancy), ("open", s.Open), ("closedByDispatcher", s.ClosedByDispatcher), ("room", s.Room))));

    public static GeoJsonFeatureCollection ForRiskPoints(IEnumerable<RiskPoint> points, GeoBox? box = null) =>
        Collect(points, r => (r.Position.Lon, r.Position.Lat), box, r => (r.Id, Props(
            ("name", r.NameEn), ("nameZh", r.NameZh), ("kind", r.Kind.ToString()), ("colour", r.Colour.ToString().ToLowerInvariant()),
            ("colourHex", Hex[r.Colour.ToString().ToLowerInvariant()]), ("areaId", r.AreaId))));

    public static GeoJsonFeatureCollection ForHazardPoints(IEnumerable<HazardPoint> points, GeoBox? box = null) =>
        Collect(points, h => (h.Position.Lon, h.Position.Lat), box, h => (h.Id, Props(
            ("name", h.NameEn), ("nameZh", h.NameZh), ("kind", h.Kind.ToString()), ("subtype", h.Subtype), ("scale", h.Scale), ("areaId", h.AreaId))));

    private static GeoJsonFeatureCollection Collect<T>(IEnumerable<T> items, Func<T, (double Lon, double Lat)> position, GeoBox? box,
        Func<T, (string Id, IReadOnlyDictionary<string, object> Properties)> describe)
    {
        var features = new List<GeoJsonFeature>();
        foreach (var item in items)
        {
            var (lon, lat) = position(item);
            if (box is not null && !box.Contains(lon, lat)) continue;
            var (id, properties) = describe(item);
            features.Add(new GeoJsonFeature { Id = id, Geometry = new GeoJsonPoint { Coordinates = [lon, lat] }, Properties = properties });
        }
        return new GeoJsonFeatureCollection { Features = features };
    }

    /// <summary>Properties without null members (a map styles by presence, and RFC 7946 consumers need not see nulls).</summary>
    private static IReadOnlyDictionary<string, object> Props(params (string Key, object? Value)[] pairs)
    {
        var map = new Dictionary<string, object>(pairs.Length);
        foreach (var (key, value) in pairs)
        {
            if (value is not null) map[key] = value;
        }
        return map;
    }
}
