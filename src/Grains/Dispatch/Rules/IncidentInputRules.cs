using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// What a report or an assessment may say and still be taken for Huadu: figures a typo or a partner system's defaults cannot
/// turn into a district-wide alarm, a position near the district, and a time of occurrence that is not a default date.
/// Each refusal is a 400 naming the field.
/// </summary>
public static class IncidentInputRules
{
    /// <summary>At most this many people in one figure: about nine times Huadu's 1.1 million residents (2020 census).</summary>
    public const int MaxPeople = 10_000_000;

    /// <summary>At most one trillion CNY of direct loss, several times the district's yearly output.</summary>
    public const decimal MaxDirectLossCny = 1_000_000_000_000m;

    /// <summary>At most this far from the nearest area's centre: the district and a margin around it for incidents on its edge.</summary>
    public const double MaxKmFromNearestArea = 50;

    /// <summary>An incident reported today may have occurred at most this long ago (a date of 0001-01-01 or 1970 is a client's default).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(366);

    public static void CheckAssessment(Assessment a)
    {
        (string Name, int Value)[] people =
        [
            ("dead", a.Dead), ("missing", a.Missing), ("seriouslyInjured", a.SeriouslyInjured), ("injured", a.Injured),
            ("trapped", a.Trapped), ("affected", a.Affected), ("relocated", a.Relocated),
        ];
        if (people.Any(p => p.Value < 0) || a.DirectLossCny < 0)
            throw DomainException.Invalid("assessment", "assessment figures must not be negative");
        foreach (var (name, value) in people)
        {
            if (value > MaxPeople)
                throw DomainException.Invalid("assessment", $"{name} is {value}; at most {MaxPeople:N0} people are accepted in one figure (Huadu has about 1.1 million residents)");
        }
        if (a.DirectLossCny > MaxDirectLossCny)
            throw DomainException.Invalid("assessment", $"directLossCny is {a.DirectLossCny:0}; at most {MaxDirectLossCny:N0} CNY is accepted");
    }

    /// <summary>Refuses a position farther than <see cref="MaxKmFromNearestArea"/> from every area's centre.</summary>
    public static void CheckLocation(IReadOnlyList<Area> areas, GeoPoint position, string field = "location")
    {
        if (areas.Count == 0) return; // nothing to judge by (no reference data yet); the area lookup says so
        var nearest = areas.Min(a => TravelTimeModel.DistanceKm(a.Centroid, position));
        if (nearest > MaxKmFromNearestArea)
            throw DomainException.Invalid(field, $"the position ({position.Lat}, {position.Lon}) is {nearest:0} km from the nearest area of Huadu; " +
                $"at most {MaxKmFromNearestArea:0} km is accepted (is it a position of 0, 0, or latitude and longitude swapped?)");
    }

    public static void CheckOccurredAt(DateTimeOffset occurredAt, DateTimeOffset now) =>
        ReportTimeRules.CheckWithin("occurredAt", occurredAt, now, MaxAge);
}
