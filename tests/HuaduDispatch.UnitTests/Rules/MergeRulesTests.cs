using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class MergeRulesTests
{
    [Fact]
    public void A_merge_adds_the_merged_incidents_figures_and_says_which()
    {
        var survivor = new Assessment { Affected = 20 };
        var merged = new Assessment { Affected = 1_800, Relocated = 1_500, Trapped = 6, DirectLossCny = 2_000_000m, HazardousMaterials = true };
        var (sum, added) = MergeRules.AddFigures(survivor, merged);
        Assert.Equal(new Assessment { Affected = 1_820, Relocated = 1_500, Trapped = 6, DirectLossCny = 2_000_000m, HazardousMaterials = true }, sum);
        Assert.Equal("trapped 0 + 6 = 6, affected 20 + 1,800 = 1,820, relocated 0 + 1,500 = 1,500, direct loss 0 + 2,000,000 = 2,000,000 CNY, hazardous materials", added);
    }

    [Fact]
    public void A_merged_incident_without_figures_changes_nothing()
    {
        var survivor = new Assessment { Affected = 20, Dead = 1 };
        var (sum, added) = MergeRules.AddFigures(survivor, Assessment.None);
        Assert.Same(survivor, sum);
        Assert.Null(added);
    }

    [Fact]
    public void Added_figures_stay_within_what_one_figure_may_hold()
    {
        var big = new Assessment { Affected = IncidentInputRules.MaxPeople, Relocated = IncidentInputRules.MaxPeople - 1, DirectLossCny = IncidentInputRules.MaxDirectLossCny };
        var (sum, _) = MergeRules.AddFigures(big, big);
        Assert.Equal((IncidentInputRules.MaxPeople, IncidentInputRules.MaxPeople, IncidentInputRules.MaxDirectLossCny), (sum.Affected, sum.Relocated, sum.DirectLossCny));
        IncidentInputRules.CheckAssessment(sum); // a figure the survivor could have been given
    }

    [Theory]
    [InlineData(ResponseLevel.IV, ResponseLevel.III, ResponseLevel.IV, ResponseLevel.III, "merged")] // the merged report was worse
    [InlineData(ResponseLevel.III, ResponseLevel.IV, ResponseLevel.IV, ResponseLevel.III, "")] // the survivor's own stands
    [InlineData(ResponseLevel.IV, ResponseLevel.III, ResponseLevel.II, ResponseLevel.II, "graded")] // together they grade worse
    [InlineData(ResponseLevel.II, ResponseLevel.III, ResponseLevel.IV, ResponseLevel.II, "")] // never a downgrade
    public void The_most_severe_level_stands_after_a_merge(ResponseLevel survivor, ResponseLevel merged, ResponseLevel graded, ResponseLevel expected, string reason)
    {
        var (level, why) = MergeRules.LevelAfterMerge(survivor, merged, "merged", graded, "graded");
        Assert.Equal((expected, reason), (level, why));
    }

    [Fact]
    public void A_level_a_commander_held_below_the_figures_stands_against_merged_figures_grading_no_more_severe()
    {
        // IV held against figures grading III: the merged figures grade III again (stays IV), or II (II applies).
        Assert.Equal(ResponseLevel.IV, MergeRules.LevelAfterMerge(ResponseLevel.IV, ResponseLevel.IV, "merged", ResponseLevel.III, "graded", heldAgainst: ResponseLevel.III).Level);
        Assert.Equal(ResponseLevel.II, MergeRules.LevelAfterMerge(ResponseLevel.IV, ResponseLevel.IV, "merged", ResponseLevel.II, "graded", heldAgainst: ResponseLevel.III).Level);
    }
}
