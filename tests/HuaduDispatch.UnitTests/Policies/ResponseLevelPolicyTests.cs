using System.Globalization;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch;

namespace HuaduDispatch.UnitTests.Policies;

public sealed class ResponseLevelPolicyTests
{
    private static readonly ResponseLevelPolicy Policy = ResponseLevelPolicy.Default;

    [Theory]
    [InlineData(0, ResponseLevel.IV)]
    [InlineData(2, ResponseLevel.IV)]
    [InlineData(3, ResponseLevel.III)]
    [InlineData(9, ResponseLevel.III)]
    [InlineData(10, ResponseLevel.II)]
    [InlineData(29, ResponseLevel.II)]
    [InlineData(30, ResponseLevel.I)]
    [InlineData(300, ResponseLevel.I)]
    public void Accident_deaths_grade_at_3_10_and_30(int dead, ResponseLevel expected) =>
        Assert.Equal(expected, Policy.Grade(IncidentCategory.AccidentDisaster, new Assessment { Dead = dead }));

    [Theory]
    [InlineData(9, ResponseLevel.IV)]
    [InlineData(10, ResponseLevel.III)]
    [InlineData(49, ResponseLevel.III)]
    [InlineData(50, ResponseLevel.II)]
    [InlineData(99, ResponseLevel.II)]
    [InlineData(100, ResponseLevel.I)]
    public void Accident_serious_injuries_grade_at_10_50_and_100(int seriouslyInjured, ResponseLevel expected) =>
        Assert.Equal(expected, Policy.Grade(IncidentCategory.AccidentDisaster, new Assessment { SeriouslyInjured = seriouslyInjured }));

    [Theory]
    [InlineData("9999999.99", ResponseLevel.IV)]
    [InlineData("10000000", ResponseLevel.III)]
    [InlineData("49999999.99", ResponseLevel.III)]
    [InlineData("50000000", ResponseLevel.II)]
    [InlineData("99999999.99", ResponseLevel.II)]
    [InlineData("100000000", ResponseLevel.I)]
    public void Accident_direct_loss_grades_at_10_50_and_100_million_cny(string loss, ResponseLevel expected) =>
        Assert.Equal(expected, Policy.Grade(IncidentCategory.AccidentDisaster,
            new Assessment { DirectLossCny = decimal.Parse(loss, CultureInfo.InvariantCulture) }));

    [Fact]
    public void The_most_severe_criterion_met_decides_the_level()
    {
        var a = new Assessment { Dead = 3, SeriouslyInjured = 50, DirectLossCny = 100_000_000m };
        Assert.Equal(ResponseLevel.I, Policy.Grade(IncidentCategory.AccidentDisaster, a));
        Assert.Equal(ResponseLevel.II, Policy.Grade(IncidentCategory.AccidentDisaster, a with { DirectLossCny = 0 }));
        Assert.Equal(ResponseLevel.III, Policy.Grade(IncidentCategory.AccidentDisaster, a with { DirectLossCny = 0, SeriouslyInjured = 0 }));
    }

    [Fact]
    public void An_empty_assessment_is_level_IV_in_every_category()
    {
        foreach (var category in Enum.GetValues<IncidentCategory>())
        {
            Assert.Equal(ResponseLevel.IV, Policy.Grade(category, Assessment.None));
            Assert.Equal(ResponseLevel.IV, Policy.Grade(category, new Assessment()));
        }
    }

    [Fact]
    public void Hazardous_materials_alone_do_not_raise_the_level_by_default()
    {
        foreach (var category in Enum.GetValues<IncidentCategory>())
        {
            Assert.Equal(ResponseLevel.IV, Policy.Grade(category, new Assessment { HazardousMaterials = true, Injured = 5, Trapped = 2 }));
        }
    }

    [Fact]
    public void Hazardous_materials_raise_the_level_when_the_bureau_configures_it()
    {
        var config = ResponseLevelPolicy.DefaultConfig;
        var accident = config.Categories[IncidentCategory.AccidentDisaster];
        config.Categories[IncidentCategory.AccidentDisaster] = accident with { III = accident.III! with { HazardousMaterials = true } };
        var policy = new ResponseLevelPolicy(config);

        Assert.Equal(ResponseLevel.III, policy.Grade(IncidentType.HazmatLeak, new Assessment { HazardousMaterials = true }));
        Assert.Equal(ResponseLevel.IV, policy.Grade(IncidentType.HazmatLeak, new Assessment()));
        Assert.Equal("III: hazardous materials involved (AccidentDisaster)",
            policy.Explain(IncidentCategory.AccidentDisaster, new Assessment { HazardousMaterials = true }));
    }

    [Fact]
    public void Accident_grading_counts_deaths_only_missing_people_do_not_count()
    {
        var a = new Assessment { Dead = 2, Missing = 5 };
        Assert.Equal(ResponseLevel.IV, Policy.Grade(IncidentType.RoadTrafficAccident, a));
        // Natural disasters count dead or missing together (default assumption).
        Assert.Equal(ResponseLevel.III, Policy.Grade(IncidentType.Landslide, a));
        Assert.Equal(ResponseLevel.II, Policy.Grade(IncidentType.Flood, new Assessment { Dead = 4, Missing = 6 }));
    }

    [Theory]
    [InlineData(999, ResponseLevel.IV)]
    [InlineData(1_000, ResponseLevel.III)]
    [InlineData(10_000, ResponseLevel.II)]
    [InlineData(100_000, ResponseLevel.I)]
    public void Natural_disasters_grade_by_people_relocated(int relocated, ResponseLevel expected) =>
        Assert.Equal(expected, Policy.Grade(IncidentType.Typhoon, new Assessment { Relocated = relocated }));

    [Fact]
    public void Grading_by_type_uses_the_category_of_the_type()
    {
        var relocated = new Assessment { Relocated = 5_000 };
        Assert.Equal(ResponseLevel.III, Policy.Grade(IncidentType.Rainstorm, relocated));
        Assert.Equal(ResponseLevel.IV, Policy.Grade(IncidentType.BuildingFire, relocated));
        Assert.Equal(ResponseLevel.III, Policy.Grade(IncidentType.PublicHealth, new Assessment { Dead = 1 }));
        Assert.Equal(ResponseLevel.IV, Policy.Grade(IncidentType.MassGathering, new Assessment { Dead = 1 }));
    }

    [Fact]
    public void Default_level_rules_escalate_leadership_and_shorten_the_report_deadline()
    {
        Assert.Equal(new LevelRules { LeadingTier = LeadingTier.DistrictBureau, ReportDeadline = TimeSpan.FromHours(2), CommandPost = false },
            Policy.RulesFor(ResponseLevel.IV));
        Assert.Equal(new LevelRules { LeadingTier = LeadingTier.DistrictCommand, ReportDeadline = TimeSpan.FromHours(1), CommandPost = true },
            Policy.RulesFor(ResponseLevel.III));
        Assert.Equal(new LevelRules { LeadingTier = LeadingTier.City, ReportDeadline = TimeSpan.FromMinutes(30), CommandPost = true },
            Policy.RulesFor(ResponseLevel.II));
        Assert.Equal(new LevelRules { LeadingTier = LeadingTier.Province, ReportDeadline = TimeSpan.FromMinutes(30), CommandPost = true },
            Policy.RulesFor(ResponseLevel.I));
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.RulesFor((ResponseLevel)7));
    }

    [Fact]
    public void Explain_names_the_deciding_figure_and_threshold()
    {
        Assert.Equal("III: 4 dead ≥ 3 (AccidentDisaster)", Policy.Explain(IncidentCategory.AccidentDisaster, new Assessment { Dead = 4 }));
        Assert.Equal("II: 12 dead ≥ 10, 60 seriously injured ≥ 50 (AccidentDisaster)",
            Policy.Explain(IncidentCategory.AccidentDisaster, new Assessment { Dead = 12, SeriouslyInjured = 60 }));
        Assert.Equal("III: 12,500,000 CNY direct loss ≥ 10,000,000 (AccidentDisaster)",
            Policy.Explain(IncidentCategory.AccidentDisaster, new Assessment { DirectLossCny = 12_500_000m }));
        Assert.Equal("III: 3 dead or missing ≥ 3 (NaturalDisaster)",
            Policy.Explain(IncidentType.Landslide, new Assessment { Dead = 1, Missing = 2 }));
    }

    [Fact]
    public void Explain_says_why_an_incident_stays_at_level_IV()
    {
        Assert.Equal("IV: below every level III criterion (AccidentDisaster)",
            Policy.Explain(IncidentCategory.AccidentDisaster, new Assessment { Dead = 2, SeriouslyInjured = 9, DirectLossCny = 9_999_999.99m }));
    }

    [Fact]
    public void Grading_never_falls_when_any_figure_rises()
    {
        var random = new Random(20240601);
        for (var run = 0; run < 2_000; run++)
        {
            var a = new Assessment
            {
                Dead = random.Next(0, 40), Missing = random.Next(0, 40), SeriouslyInjured = random.Next(0, 120), Injured = random.Next(0, 200),
                Relocated = random.Next(0, 120_000), DirectLossCny = random.Next(0, 120_000_000), HazardousMaterials = random.Next(2) == 0,
            };
            var more = a with
            {
                Dead = a.Dead + random.Next(0, 5), Missing = a.Missing + random.Next(0, 5), SeriouslyInjured = a.SeriouslyInjured + random.Next(0, 20),
                Injured = a.Injured + random.Next(0, 50), Relocated = a.Relocated + random.Next(0, 5_000),
                DirectLossCny = a.DirectLossCny + random.Next(0, 20_000_000), HazardousMaterials = a.HazardousMaterials || random.Next(2) == 0,
            };
            foreach (var category in Enum.GetValues<IncidentCategory>())
            {
                // I = 1 is the most severe: a worse assessment has a level number no greater.
                Assert.True(Policy.Grade(category, more) <= Policy.Grade(category, a), $"{category}: {a} -> {more}");
            }
        }
    }

    [Fact]
    public void Default_config_is_a_fresh_copy_and_a_policy_keeps_its_own_copy()
    {
        var config = ResponseLevelPolicy.DefaultConfig;
        var policy = new ResponseLevelPolicy(config);
        config.Categories[IncidentCategory.AccidentDisaster] = new CategoryGrading { III = new LevelCriteria { Dead = 1 } };
        config.Levels[ResponseLevel.IV] = config.Levels[ResponseLevel.IV] with { ReportDeadline = TimeSpan.FromDays(1) };

        Assert.Equal(ResponseLevel.IV, policy.Grade(IncidentCategory.AccidentDisaster, new Assessment { Dead = 1 }));
        Assert.Equal(TimeSpan.FromHours(2), policy.RulesFor(ResponseLevel.IV).ReportDeadline);
        Assert.Equal(ResponseLevel.IV, ResponseLevelPolicy.Default.Grade(IncidentCategory.AccidentDisaster, new Assessment { Dead = 1 }));
        Assert.Equal(3, ResponseLevelPolicy.DefaultConfig.Categories[IncidentCategory.AccidentDisaster].III!.Dead);
    }
}
