using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

public static class DispatchMath
{
    /// <summary>The area whose centroid is nearest (a stand-in for the district's boundary polygons).</summary>
    public static string NearestArea(IReadOnlyList<Area> areas, double lat, double lon)
    {
        if (areas.Count == 0) throw new InvalidOperationException("no areas are loaded");
        return areas.MinBy(a => SquaredDistance(a.Centroid, lat, lon))!.Id;
    }

    private static double SquaredDistance(GeoPoint p, double lat, double lon)
    {
        var dLat = p.Lat - lat;
        var dLon = (p.Lon - lon) * Math.Cos(lat * Math.PI / 180);
        return dLat * dLat + dLon * dLon;
    }

    /// <summary>Weight of an incident's ETAs in joint recommendation: the more severe the level, the heavier; trapped people add urgency.</summary>
    public static double Priority(ResponseLevel level, Assessment a) =>
        (5 - (int)level) + (a.Trapped > 0 ? 1 : 0) + (a.Missing > 0 ? 0.5 : 0);

    /// <summary>
    /// The modules not yet covered by the incident's assigned teams: each assigned team covers one slot of one capability it has
    /// (slots of rarer capabilities among the team's first).
    /// </summary>
    public static IReadOnlyList<ModuleRequirement> OpenModules(IReadOnlyList<ModuleRequirement> required, IEnumerable<IReadOnlyList<Capability>> assignedTeams)
    {
        var remaining = required.ToDictionary(m => m.Capability, m => m.Count);
        foreach (var caps in assignedTeams.OrderBy(c => c.Count))
        {
            var slot = caps.Where(c => remaining.GetValueOrDefault(c) > 0).Cast<Capability?>().FirstOrDefault();
            if (slot is { } c) remaining[c]--;
        }
        return [.. required.Select(m => m.Capability).Distinct()
            .Where(c => remaining[c] > 0)
            .Select(c => new ModuleRequirement { Capability = c, Count = remaining[c] })];
    }
}
