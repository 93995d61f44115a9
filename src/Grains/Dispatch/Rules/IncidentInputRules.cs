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

    /// <summary>
    /// Checks an assessment's figures; <paramref name="prefix"/> goes before the field names in errors ("assessment." in a
    /// report, nothing on the assessments endpoint).
    /// </summary>
    public static void CheckAssessment(Assessment a, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(a);
        (string Name, int Value)[] people =
        [
            ("dead", a.Dead), ("missing", a.Missing), ("seriouslyInjured", a.SeriouslyInjured), ("injured", a.Injured),
            ("trapped", a.Trapped), ("affected", a.Affected), ("relocated", a.Relocated),
        ];
        foreach (var (name, value) in people)
            if (value < 0) throw DomainException.Invalid(prefix + name, $"{name} is {value}; assessment figures must not be negative");
        if (a.DirectLossCny < 0) throw DomainException.Invalid(prefix + "directLossCny", "directLossCny must not be negative");
        foreach (var (name, value) in people)
        {
            if (value > MaxPeople)
                throw DomainException.Invalid(prefix + name, $"{name} is {value}; at most {MaxPeople:N0} people are accepted in one figure (Huadu has about 1.1 million residents)");
        }
        if (a.DirectLossCny > MaxDirectLossCny)
            throw DomainException.Invalid(prefix + "directLossCny", $"directLossCny is {a.DirectLossCny:0}; at most {MaxDirectLossCny:N0} CNY is accepted");
        // Relocated people are among the affected (受灾人口 counts those moved to safety too).
        if (a.Relocated > a.Affected)
            throw DomainException.Invalid(prefix + "relocated", $"relocated ({a.Relocated}) is more than affected ({a.Affected}); the relocated are " +
                "counted among the affected, so affected must be at least relocated");
    }

    /// <summary>
    /// The assessment after <paramref name="update"/>: the figures it gives, the others as they were. An update with no figure
    /// is a 400 (it would change nothing, and is most likely a client sending the wrong names).
    /// </summary>
    public static Assessment Amend(Assessment current, AssessmentUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.GivesNoFigure())
            throw DomainException.Invalid("assessment", "no figure given; send one or more of dead, missing, seriouslyInjured, injured, trapped, " +
                "affected, relocated, directLossCny, hazardousMaterials (those left out keep their values)");
        var amended = update.ApplyTo(current);
        CheckAssessment(amended);
        return amended;
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

    /// <summary>How much farther than the nearest area's centre a given area's centre may be from the position.</summary>
    public const double MaxKmBeyondNearestArea = 15;

    /// <summary>
    /// An area given with a position must be near it: its centre at most <see cref="MaxKmBeyondNearestArea"/> km farther
    /// from the position than the nearest area's centre (Huadu's towns are at most about 8 km across from centre to edge, so
    /// a position in an area is never more than that farther from its own centre than from another's). A partner's mapping
    /// error put a slope slip 0.6 km from Huashan's centre in Tanbu, 26.7 km away, and the Huashan console never saw it
    /// (until the twenty-ninth session).
    /// </summary>
    public static void CheckAreaNearPosition(IReadOnlyList<Area> areas, string areaId, GeoPoint position, string field = "location.areaId")
    {
        if (areas.FirstOrDefault(a => a.Id == areaId) is not { } given || areas.Count == 0) return;
        var nearest = areas.MinBy(a => TravelTimeModel.DistanceKm(a.Centroid, position))!;
        var (toGiven, toNearest) = (TravelTimeModel.DistanceKm(given.Centroid, position), TravelTimeModel.DistanceKm(nearest.Centroid, position));
        if (toGiven - toNearest > MaxKmBeyondNearestArea)
            throw DomainException.Invalid(field, $"area '{areaId}' is {toGiven:0.0} km from the position, which is {toNearest:0.0} km from the centre of " +
                $"'{nearest.Id}': send the area the position is in, or none (the nearest is then taken)");
    }

    public static void CheckOccurredAt(DateTimeOffset occurredAt, DateTimeOffset now) =>
        ReportTimeRules.CheckWithin("occurredAt", occurredAt, now, MaxAge);
}
