using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Recommendation;

/// <summary>Parameters of the straight-line travel-time estimate (出动到场时间估算).</summary>
public sealed record TravelTimeOptions
{
    /// <summary>Road distance divided by great-circle distance (detour factor).</summary>
    public double RoadFactor { get; init; } = 1.35;

    /// <summary>Mean emergency driving speed in the district, km/h.</summary>
    public double SpeedKmh { get; init; } = 40;

    /// <summary>From the dispatch order to wheels rolling (出动准备时间).</summary>
    public TimeSpan Turnout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Multiplier on driving time while the incident's hazard is under way (flooded roads, storms); missing types are 1.0.</summary>
    public Dictionary<IncidentType, double> HazardSlowdown { get; init; } = new()
    {
        [IncidentType.Typhoon] = 1.5,
        [IncidentType.Rainstorm] = 1.4,
        [IncidentType.Waterlogging] = 1.5,
        [IncidentType.Flood] = 1.6,
        [IncidentType.Landslide] = 1.3,
        [IncidentType.ForestFire] = 1.2,
    };
}

/// <summary>
/// Estimates a team's time of arrival: turnout plus great-circle distance × road factor ÷ speed, the driving part slowed by the
/// incident's hazard. Cheap enough to evaluate for every (team, incident) pair on each recommendation.
/// </summary>
public sealed class TravelTimeModel(TravelTimeOptions options)
{
    /// <summary>Mean Earth radius (IUGG), km.</summary>
    public const double EarthRadiusKm = 6371.0088;

    private readonly TravelTimeOptions _options = Validate(options);
    // The options' dictionary is mutable; a copy taken once keeps the model immutable and the lookup cheap.
    private readonly double[] _slowdown = SlowdownTable(options);

    public TravelTimeOptions Options => _options;

    /// <summary>Great-circle (haversine) distance in km.</summary>
    public static double DistanceKm(GeoPoint a, GeoPoint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        const double rad = Math.PI / 180;
        var phi1 = a.Lat * rad;
        var phi2 = b.Lat * rad;
        var sinDPhi = Math.Sin((b.Lat - a.Lat) * rad / 2);
        var sinDLambda = Math.Sin((b.Lon - a.Lon) * rad / 2);
        var h = sinDPhi * sinDPhi + Math.Cos(phi1) * Math.Cos(phi2) * sinDLambda * sinDLambda;
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(Math.Min(1, h)));
    }

    /// <summary>Multiplier applied to driving time for an incident type.</summary>
    public double Slowdown(IncidentType type) => (uint)type < (uint)_slowdown.Length ? _slowdown[(int)type] : 1.0;

    public TimeSpan Eta(GeoPoint from, GeoPoint to, IncidentType type) => EtaForDistance(DistanceKm(from, to), type);

    /// <summary>The ETA for a distance already computed (the recommenders use it to avoid a second haversine).</summary>
    public TimeSpan EtaForDistance(double distanceKm, IncidentType type)
    {
        var hours = distanceKm * _options.RoadFactor / _options.SpeedKmh * Slowdown(type);
        return _options.Turnout + TimeSpan.FromTicks((long)Math.Round(hours * TimeSpan.TicksPerHour));
    }

    private static TravelTimeOptions Validate(TravelTimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.RoadFactor) || options.RoadFactor < 1)
            throw new ArgumentException($"RoadFactor must be a finite number >= 1, was {options.RoadFactor}.", nameof(options));
        if (!double.IsFinite(options.SpeedKmh) || options.SpeedKmh <= 0)
            throw new ArgumentException($"SpeedKmh must be a finite positive number, was {options.SpeedKmh}.", nameof(options));
        if (options.Turnout < TimeSpan.Zero)
            throw new ArgumentException($"Turnout must not be negative, was {options.Turnout}.", nameof(options));
        ArgumentNullException.ThrowIfNull(options.HazardSlowdown, nameof(options.HazardSlowdown));
        foreach (var (type, factor) in options.HazardSlowdown)
            if (!double.IsFinite(factor) || factor <= 0)
                throw new ArgumentException($"HazardSlowdown[{type}] must be a finite positive number, was {factor}.", nameof(options));
        return options;
    }

    private static double[] SlowdownTable(TravelTimeOptions options)
    {
        var table = new double[Enum.GetValues<IncidentType>().Max(t => (int)t) + 1];
        Array.Fill(table, 1.0);
        foreach (var (type, factor) in options.HazardSlowdown)
            if ((uint)type < (uint)table.Length) table[(int)type] = factor;
        return table;
    }
}
