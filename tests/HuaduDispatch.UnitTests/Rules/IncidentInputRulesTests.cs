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
        foreach (var over in new[]
        {
            new Assessment { Dead = IncidentInputRules.MaxPeople + 1 }, new Assessment { Missing = int.MaxValue },
            new Assessment { SeriouslyInjured = int.MaxValue }, new Assessment { Injured = int.MaxValue }, new Assessment { Trapped = int.MaxValue },
            new Assessment { Affected = int.MaxValue }, new Assessment { Relocated = IncidentInputRules.MaxPeople + 1 },
            new Assessment { DirectLossCny = IncidentInputRules.MaxDirectLossCny + 1 },
        })
        {
            var e = Assert.Throws<DomainException>(() => IncidentInputRules.CheckAssessment(over));
            Assert.Equal("assessment", e.Field);
            Assert.Contains("at most", e.Reason);
        }
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
}
