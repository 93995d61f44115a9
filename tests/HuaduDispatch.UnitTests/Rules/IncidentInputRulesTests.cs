using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;
using HuaduDispatch.Grains.Reference;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class IncidentInputRulesTests
{
    private static readonly ReferenceDataSet Set =
        ReferenceDataFile.Load(Path.Combine(AppContext.BaseDirectory, "ReferenceData", "huadu-reference.json")).Set;

    private static readonly DateTimeOffset Now = new(2026, 12, 4, 9, 0, 0, TimeSpan.FromHours(8));

    private static GeoPoint P(double lat, double lon) => new() { Lat = lat, Lon = lon };

    [Fact]
    public void Every_place_of_the_reference_data_is_a_position_an_incident_may_have()
    {
        var places = Set.Shelters.Select(s => s.Position).Concat(Set.Warehouses.Select(w => w.Position)).Concat(Set.Teams.Select(t => t.HomeBase))
            .Concat(Set.RiskPoints.Select(r => r.Position)).Concat(Set.HazardPoints.Select(h => h.Position)).ToList();
        Assert.True(places.Count > 300, $"only {places.Count} places");
        Assert.All(places, p => IncidentInputRules.CheckLocation(Set.Areas, p));
    }

    [Fact]
    public void Every_place_of_the_reference_data_is_near_the_area_it_is_in_and_a_far_area_is_refused()
    {
        var places = Set.Shelters.Select(s => (s.AreaId, Position: s.Position)).Concat(Set.Warehouses.Select(w => (w.AreaId, Position: w.Position)))
            .Concat(Set.Teams.Select(t => (t.AreaId, Position: t.HomeBase))).Concat(Set.RiskPoints.Select(r => (r.AreaId, Position: r.Position))).ToList();
        Assert.All(places, p => IncidentInputRules.CheckAreaNearPosition(Set.Areas, p.AreaId, p.Position));
        // The exploratory test's partner report: 0.6 km from Huashan's centre, sent as Tanbu (26.7 km away).
        var e = Assert.Throws<DomainException>(() => IncidentInputRules.CheckAreaNearPosition(Set.Areas, "tanbu", P(23.452, 113.305)));
        Assert.Equal("location.areaId", e.Field);
        Assert.Contains("'huashan'", e.Reason);
    }

    [Theory]
    [InlineData(23.13, 113.32)] // Guangzhou's centre, beyond the district's southern edge
    [InlineData(23.70, 113.10)] // over the northern border, towards Qingyuan
    public void A_position_beyond_the_border_but_near_it_is_accepted(double lat, double lon) =>
        IncidentInputRules.CheckLocation(Set.Areas, P(lat, lon));

    [Theory]
    [InlineData(0, 0)] // a partner system's default
    [InlineData(-89.9, -179.9)]
    [InlineData(22.54, 114.06)] // Shenzhen
    [InlineData(13.45, 23.1)] // Huadu's latitude and longitude, each shifted into the other's range
    public void A_position_far_from_every_area_is_refused_naming_the_field(double lat, double lon)
    {
        var e = Assert.Throws<DomainException>(() => IncidentInputRules.CheckLocation(Set.Areas, P(lat, lon)));
        Assert.Equal(DomainErrorKind.Invalid, e.Kind);
        Assert.Equal("location", e.Field);
        Assert.Contains("km from the nearest area", e.Reason);
    }

    [Fact]
    public void Figures_up_to_the_limit_are_accepted_and_one_more_is_refused()
    {
        IncidentInputRules.CheckAssessment(new Assessment { Affected = IncidentInputRules.MaxPeople, Relocated = IncidentInputRules.MaxPeople, DirectLossCny = IncidentInputRules.MaxDirectLossCny });
        foreach (var (over, field) in new[]
        {
            (new Assessment { Dead = IncidentInputRules.MaxPeople + 1 }, "dead"), (new Assessment { Missing = int.MaxValue }, "missing"),
            (new Assessment { SeriouslyInjured = int.MaxValue }, "seriouslyInjured"), (new Assessment { Injured = int.MaxValue }, "injured"),
            (new Assessment { Trapped = int.MaxValue }, "trapped"), (new Assessment { Affected = int.MaxValue }, "affected"),
            (new Assessment { Relocated = IncidentInputRules.MaxPeople + 1 }, "relocated"),
            (new Assessment { DirectLossCny = IncidentInputRules.MaxDirectLossCny + 1 }, "directLossCny"),
        })
        {
            // Named by the field itself (in a report, under "assessment."), not only "assessment" as before the twenty-second session.
            var e = Assert.Throws<DomainException>(() => IncidentInputRules.CheckAssessment(over));
            Assert.Equal(field, e.Field);
            Assert.Contains("at most", e.Reason);
            Assert.Equal("assessment." + field, Assert.Throws<DomainException>(() => IncidentInputRules.CheckAssessment(over, "assessment.")).Field);
        }
    }

    [Fact]
    public void More_relocated_than_affected_is_refused_naming_relocated()
    {
        IncidentInputRules.CheckAssessment(new Assessment { Affected = 30, Relocated = 30 });
        var e = Assert.Throws<DomainException>(() => IncidentInputRules.CheckAssessment(new Assessment { Affected = 10, Relocated = 30 }));
        Assert.Equal(("relocated", DomainErrorKind.Invalid), (e.Field, e.Kind));
        Assert.Contains("relocated (30) is more than affected (10)", e.Reason);
    }

    [Fact]
    public void An_assessment_update_changes_the_figures_it_gives_and_keeps_the_others()
    {
        var before = new Assessment { Dead = 1, Trapped = 3, Affected = 150, Relocated = 140, DirectLossCny = 2_000_000m, HazardousMaterials = true };

        var after = IncidentInputRules.Amend(before, new AssessmentUpdate { Trapped = 2 });

        Assert.Equal(before with { Trapped = 2 }, after);
        Assert.Equal(before with { Affected = 200, Relocated = 0, HazardousMaterials = false },
            IncidentInputRules.Amend(before, new AssessmentUpdate { Affected = 200, Relocated = 0, HazardousMaterials = false }));
        // Checked as amended: 200 relocated against the 150 affected kept.
        Assert.Equal("relocated", Assert.Throws<DomainException>(() => IncidentInputRules.Amend(before, new AssessmentUpdate { Relocated = 200 })).Field);
        // No figure at all: nothing to change, most likely wrong names.
        Assert.Contains("no figure given", Assert.Throws<DomainException>(() => IncidentInputRules.Amend(before, new AssessmentUpdate())).Reason);
    }

    [Fact]
    public void Negative_figures_are_refused()
    {
        var e = Assert.Throws<DomainException>(() => IncidentInputRules.CheckAssessment(new Assessment { Injured = -1 }));
        Assert.Contains("negative", e.Reason);
        Assert.Throws<DomainException>(() => IncidentInputRules.CheckAssessment(new Assessment { DirectLossCny = -0.01m }));
    }

    [Fact]
    public void An_occurrence_within_the_last_year_is_accepted_a_default_date_or_a_future_one_is_refused()
    {
        IncidentInputRules.CheckOccurredAt(Now, Now);
        IncidentInputRules.CheckOccurredAt(Now.AddMinutes(4), Now);
        IncidentInputRules.CheckOccurredAt(Now.AddDays(-365), Now); // copied from paper after a long outage
        foreach (var at in new[] { DateTimeOffset.MinValue, DateTimeOffset.UnixEpoch, Now.AddDays(-367), Now.AddMinutes(6) })
        {
            var e = Assert.Throws<DomainException>(() => IncidentInputRules.CheckOccurredAt(at, Now));
            Assert.Equal("occurredAt", e.Field);
        }
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData(" \u3000\t", true)]
    [InlineData("\u200b\u200b", true)] // zero-width spaces: taken as a title until the twenty-ninth session
    [InlineData("\u200e\u200d ", true)]
    [InlineData("\u3164\u3164", true)] // Hangul fillers (the verifying test: taken after the zero-width fix)
    [InlineData("\u2800", true)] // the Braille blank
    [InlineData("\u034f\u0301", true)] // a combining grapheme joiner and an accent with nothing to sit on
    [InlineData("e\u0301", false)]
    [InlineData("\u200b花都\u200b", false)]
    [InlineData("x", false)]
    public void A_text_with_no_visible_character_is_blank(string? text, bool blank) => Assert.Equal(blank, VisibleText.IsBlank(text));
}
