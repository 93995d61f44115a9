using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// A team's reported position must be somewhere the team can be. A radio without a GPS fix sends 0, 0: taken as it was, it put
/// the team at sea off Africa, where no recommendation would ever pick it and every map lost it.
/// </summary>
public static class TeamPositionRules
{
    /// <summary>
    /// At most this far from the team's home base: the whole of Guangdong and its neighbours, for mutual aid far outside the
    /// district, and nowhere near 0, 0 (about 12,000 km away).
    /// </summary>
    public const double MaxKmFromHome = 500;

    public static void Check(GeoPoint home, double lat, double lon, string field)
    {
        var km = TravelTimeModel.DistanceKm(home, new GeoPoint { Lat = lat, Lon = lon });
        if (km > MaxKmFromHome)
            throw DomainException.Invalid(field, $"the position ({lat}, {lon}) is {km:0} km from the team's home base; at most {MaxKmFromHome:0} km is accepted (a radio without a GPS fix sends 0, 0)");
    }
}
