using System.Text.Json;
using System.Text.Json.Nodes;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch;

namespace HuaduDispatch.UnitTests.Policies;

/// <summary>The bureau's configuration: read from JSON, checked before use, shipped as response-levels.json.</summary>
public sealed class ResponseLevelConfigTests
{
    /// <summary>A bureau's own grading: accidents count missing people, public health is stricter, deadlines are tighter.</summary>
    private const string CustomJson = """
        {
          "categories": {
            "NaturalDisaster": { "I": { "deadOrMissing": 20 }, "II": { "deadOrMissing": 5 }, "III": { "deadOrMissing": 1, "trapped": 10 } },
            "AccidentDisaster": {
              "basis": "bureau decision 2025-01",
              "I": { "deadOrMissing": 30 }, "II": { "deadOrMissing": 10 }, "III": { "deadOrMissing": 3, "hazardousMaterials": true }
            },
            "PublicHealth": { "II": { "dead": 1 } },
            "SocialSafety": { "III": { "injured": 20 } }
          },
          "levels": {
            "I": { "leadingTier": "Province", "reportDeadline": "00:15:00", "commandPost": true },
            "II": { "leadingTier": "City", "reportDeadline": "00:20:00", "commandPost": true },
            "III": { "leadingTier": "DistrictCommand", "reportDeadline": "00:45:00", "commandPost": true },
            "IV": { "leadingTier": "DistrictBureau", "reportDeadline": "01:30:00", "commandPost": false }
          }
        }
        """;

    [Fact]
    public void A_custom_config_read_from_json_changes_the_grading()
    {
        var policy = ResponseLevelPolicy.FromJson(CustomJson);
        var twoDeadOneMissing = new Assessment { Dead = 2, Missing = 1 };

        Assert.Equal(ResponseLevel.IV, ResponseLevelPolicy.Default.Grade(IncidentType.RoadTrafficAccident, twoDeadOneMissing));
        Assert.Equal(ResponseLevel.III, policy.Grade(IncidentType.RoadTrafficAccident, twoDeadOneMissing));
        Assert.Equal(ResponseLevel.III, policy.Grade(IncidentType.HazmatLeak, new Assessment { HazardousMaterials = true }));
        Assert.Equal(ResponseLevel.III, policy.Grade(IncidentType.Flood, new Assessment { Trapped = 10 }));
        Assert.Equal(ResponseLevel.II, policy.Grade(IncidentType.PublicHealth, new Assessment { Dead = 1 }));
        Assert.Equal(ResponseLevel.IV, policy.Grade(IncidentType.PublicHealth, new Assessment { SeriouslyInjured = 500 }));
        Assert.Equal(ResponseLevel.III, policy.Grade(IncidentType.MassGathering, new Assessment { Injured = 20 }));
        Assert.Equal(TimeSpan.FromMinutes(45), policy.RulesFor(ResponseLevel.III).ReportDeadline);
        Assert.Equal(TimeSpan.FromMinutes(90), policy.RulesFor(ResponseLevel.IV).ReportDeadline);
        Assert.Equal("III: 3 dead or missing ≥ 3 (AccidentDisaster)", policy.Explain(IncidentType.GasLeak, twoDeadOneMissing));
        Assert.Equal("IV: below every level II criterion (PublicHealth)", policy.Explain(IncidentType.PublicHealth, new Assessment()));
    }

    [Fact]
    public void The_shipped_file_equals_the_default_config()
    {
        var text = File.ReadAllText(PolicyFiles.ResponseLevels);
        var file = JsonNode.Parse(text);
        var defaults = JsonSerializer.SerializeToNode(ResponseLevelPolicy.DefaultConfig, DispatchJson.Options);
        Assert.True(JsonNode.DeepEquals(file, defaults),
            $"response-levels.json differs from ResponseLevelPolicy.DefaultConfig; the defaults serialize as:\n{defaults!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}");

        // And it reads back into a policy that grades like the default one.
        var policy = ResponseLevelPolicy.FromJson(text);
        foreach (var category in Enum.GetValues<IncidentCategory>())
        {
            Assert.Equal(ResponseLevelPolicy.DefaultConfig.Categories[category], policy.Config.Categories[category]);
        }
        foreach (var level in Enum.GetValues<ResponseLevel>())
        {
            Assert.Equal(ResponseLevelPolicy.Default.RulesFor(level), policy.RulesFor(level));
        }
    }

    [Fact]
    public void The_default_config_round_trips_through_json()
    {
        var json = JsonSerializer.Serialize(ResponseLevelPolicy.DefaultConfig, DispatchJson.Options);
        Assert.Contains("\"reportDeadline\":\"02:00:00\"", json);
        Assert.Contains("\"III\":{", json);
        var policy = ResponseLevelPolicy.FromJson(json);
        Assert.Equal(ResponseLevel.III, policy.Grade(IncidentCategory.AccidentDisaster, new Assessment { Dead = 3 }));
    }

    [Fact]
    public void A_missing_category_or_level_is_refused()
    {
        var config = ResponseLevelPolicy.DefaultConfig;
        config.Categories.Remove(IncidentCategory.PublicHealth);
        config.Levels.Remove(ResponseLevel.II);
        var e = Assert.Throws<ArgumentException>(() => new ResponseLevelPolicy(config));
        Assert.Contains("categories.PublicHealth is missing", e.Message);
        Assert.Contains("levels.II is missing", e.Message);
    }

    [Fact]
    public void Thresholds_that_fall_as_severity_rises_are_refused()
    {
        var config = ResponseLevelPolicy.DefaultConfig;
        var accident = config.Categories[IncidentCategory.AccidentDisaster];
        config.Categories[IncidentCategory.AccidentDisaster] = accident with { I = accident.I! with { Dead = 5 } };
        var e = Assert.Throws<ArgumentException>(() => new ResponseLevelPolicy(config));
        Assert.Contains("categories.AccidentDisaster: dead threshold of level I (5) is below that of level II (10)", e.Message);
    }

    [Fact]
    public void Equal_thresholds_on_neighbouring_levels_are_allowed()
    {
        var config = ResponseLevelPolicy.DefaultConfig;
        var accident = config.Categories[IncidentCategory.AccidentDisaster];
        config.Categories[IncidentCategory.AccidentDisaster] = accident with { II = accident.II! with { Dead = 3 } };
        Assert.Equal(ResponseLevel.II, new ResponseLevelPolicy(config).Grade(IncidentCategory.AccidentDisaster, new Assessment { Dead = 3 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-30)]
    public void A_report_deadline_that_is_not_positive_is_refused(int minutes)
    {
        var config = ResponseLevelPolicy.DefaultConfig;
        config.Levels[ResponseLevel.III] = config.Levels[ResponseLevel.III] with { ReportDeadline = TimeSpan.FromMinutes(minutes) };
        var e = Assert.Throws<ArgumentException>(() => new ResponseLevelPolicy(config));
        Assert.Contains("levels.III.reportDeadline must be positive", e.Message);
    }

    [Fact]
    public void Zero_thresholds_meaningless_flags_and_empty_criteria_are_refused_all_in_one_message()
    {
        var config = ResponseLevelPolicy.DefaultConfig;
        config.Categories[IncidentCategory.SocialSafety] = new CategoryGrading
        {
            I = new LevelCriteria { Dead = 0 },
            II = new LevelCriteria { HazardousMaterials = false },
            III = new LevelCriteria(),
        };
        var e = Assert.Throws<ArgumentException>(() => new ResponseLevelPolicy(config));
        Assert.Contains("categories.SocialSafety.I.dead must be positive", e.Message);
        Assert.Contains("categories.SocialSafety.II.hazardousMaterials: false has no meaning", e.Message);
        Assert.Contains("categories.SocialSafety.III has no criterion", e.Message);
    }

    [Theory]
    [InlineData("""{ "categories": {}, "levels": {} }""", "categories.NaturalDisaster is missing")]
    [InlineData("""{ "levels": {} }""", "not a valid response level configuration")]
    [InlineData("""{ "categories": { "AccidentDisaster": { "III": { "deadOrMising": 3 } } }, "levels": {} }""", "deadOrMising")]
    [InlineData("""{ "categories": { "Earthquake": {} }, "levels": {} }""", "not a valid response level configuration")]
    [InlineData("""{ "categories": {}, "levels": { "IV": { "leadingTier": "DistrictBureau", "reportDeadline": "2 hours", "commandPost": false } } }""", "not a valid response level configuration")]
    [InlineData("""{ "categories": {}, "levels": { "IV": { "leadingTier": 0, "reportDeadline": "02:00:00", "commandPost": false } } }""", "not a valid response level configuration")]
    [InlineData("not json", "not a valid response level configuration")]
    [InlineData("null", "the document is null")]
    public void Invalid_json_is_refused_with_a_message(string json, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ResponseLevelPolicy.FromJson(json));
        Assert.Contains(expected, e.Message);
    }
}
