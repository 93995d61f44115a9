using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch;

namespace HuaduDispatch.UnitTests.Policies;

/// <summary>The shipped response-plans.json: complete, valid, and within what the district's 26 teams can field.</summary>
public sealed class ShippedResponsePlansTests
{
    private static readonly ResponsePlanCatalogue Catalogue = ResponsePlanCatalogue.FromJson(File.ReadAllText(PolicyFiles.ResponsePlans));

    /// <summary>The teams of huadu-reference.json as (id, capabilities), read with JsonDocument only.</summary>
    private static readonly IReadOnlyList<(string Id, HashSet<Capability> Capabilities)> Teams = ReadTeams();

    private static List<(string, HashSet<Capability>)> ReadTeams()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PolicyFiles.ReferenceData));
        return [.. doc.RootElement.GetProperty("teams").EnumerateArray().Select(t => (
            t.GetProperty("id").GetString()!,
            t.GetProperty("capabilities").EnumerateArray().Select(c => Enum.Parse<Capability>(c.GetString()!)).ToHashSet()))];
    }

    [Fact]
    public void The_file_loads_and_has_all_19_types_at_all_4_levels()
    {
        Assert.Equal(Enum.GetValues<IncidentType>().Length * 4, Catalogue.Entries.Count);
        foreach (var type in Enum.GetValues<IncidentType>())
        {
            Assert.Equal(Enum.GetValues<ResponseLevel>().Order(), Catalogue.Entries.Where(e => e.Type == type).Select(e => e.Level).Order());
        }
    }

    [Fact]
    public void A_landslide_at_level_IV_needs_one_geological_hazard_one_engineering_machinery_and_one_medical_team() =>
        Assert.Equal(
            [
                new ModuleRequirement { Capability = Capability.GeologicalHazard, Count = 1 },
                new ModuleRequirement { Capability = Capability.EngineeringMachinery, Count = 1 },
                new ModuleRequirement { Capability = Capability.Medical, Count = 1 },
            ],
            Catalogue.ModulesFor(IncidentType.Landslide, ResponseLevel.IV));

    [Fact]
    public void The_reference_data_has_the_26_teams()
    {
        Assert.Equal(26, Teams.Count);
    }

    [Fact]
    public void Plans_use_only_capabilities_that_some_team_has()
    {
        var available = Teams.SelectMany(t => t.Capabilities).ToHashSet();
        Assert.All(Catalogue.Entries.SelectMany(e => e.Modules), m => Assert.Contains(m.Capability, available));
    }

    [Fact]
    public void Level_IV_modules_of_every_type_need_no_more_teams_of_a_capability_than_the_district_has()
    {
        foreach (var type in Enum.GetValues<IncidentType>())
        {
            foreach (var m in Catalogue.ModulesFor(type, ResponseLevel.IV))
            {
                var teams = Teams.Count(t => t.Capabilities.Contains(m.Capability));
                Assert.True(m.Count <= teams, $"{type} IV needs {m.Count} {m.Capability} teams, the district has {teams}");
            }
        }
    }

    /// <summary>
    /// Stronger than counting per capability: one team fills one slot, so a team with two capabilities cannot count twice.
    /// Level III is led by the district command, so it too must be within the district's own teams; levels II and I are
    /// led by the city and the province, which bring reinforcements, and may ask for more.
    /// </summary>
    [Theory]
    [InlineData(ResponseLevel.IV)]
    [InlineData(ResponseLevel.III)]
    public void Modules_of_every_type_can_be_filled_at_once_by_distinct_district_teams(ResponseLevel level)
    {
        foreach (var type in Enum.GetValues<IncidentType>())
        {
            var slots = Catalogue.ModulesFor(type, level).SelectMany(m => Enumerable.Repeat(m.Capability, m.Count)).ToList();
            Assert.True(MaxAssignment(slots) == slots.Count, $"{type} at level {level}: {string.Join(", ", slots)} cannot all be filled by distinct teams");
        }
    }

    [Fact]
    public void More_severe_levels_never_ask_for_fewer_teams_of_any_capability()
    {
        ResponseLevel[] lessToMore = [ResponseLevel.IV, ResponseLevel.III, ResponseLevel.II, ResponseLevel.I];
        foreach (var type in Enum.GetValues<IncidentType>())
        {
            for (var i = 1; i < lessToMore.Length; i++)
            {
                var lesser = Catalogue.ModulesFor(type, lessToMore[i - 1]).ToDictionary(m => m.Capability, m => m.Count);
                var severe = Catalogue.ModulesFor(type, lessToMore[i]).ToDictionary(m => m.Capability, m => m.Count);
                Assert.True(severe.Values.Sum() > lesser.Values.Sum(), $"{type}: level {lessToMore[i]} should field more teams than {lessToMore[i - 1]}");
                foreach (var (capability, count) in lesser)
                {
                    Assert.True(severe.GetValueOrDefault(capability) >= count, $"{type}: {capability} falls from {count} at {lessToMore[i - 1]} to {severe.GetValueOrDefault(capability)} at {lessToMore[i]}");
                }
            }
        }
    }

    /// <summary>Maximum bipartite matching of capability slots to teams (augmenting paths; 26 teams, a few dozen slots).</summary>
    private static int MaxAssignment(List<Capability> slots)
    {
        var slotOfTeam = new int?[Teams.Count];
        var filled = 0;
        for (var s = 0; s < slots.Count; s++)
        {
            if (Augment(s, new bool[Teams.Count])) filled++;
        }
        return filled;

        bool Augment(int slot, bool[] visited)
        {
            for (var t = 0; t < Teams.Count; t++)
            {
                if (visited[t] || !Teams[t].Capabilities.Contains(slots[slot])) continue;
                visited[t] = true;
                if (slotOfTeam[t] is not { } other || Augment(other, visited))
                {
                    slotOfTeam[t] = slot;
                    return true;
                }
            }
            return false;
        }
    }
}
