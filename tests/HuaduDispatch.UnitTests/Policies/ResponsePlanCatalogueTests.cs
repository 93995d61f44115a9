using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch;

namespace HuaduDispatch.UnitTests.Policies;

public sealed class ResponsePlanCatalogueTests
{
    private static ModuleRequirement M(Capability capability, int count) => new() { Capability = capability, Count = count };

    private static ResponsePlanEntry E(IncidentType type, ResponseLevel level, params ModuleRequirement[] modules) =>
        new() { Type = type, Level = level, Modules = modules };

    /// <summary>A level IV entry of one firefighting team for every type, so a test only writes the entries it is about.</summary>
    private static List<ResponsePlanEntry> Baseline(params IncidentType[] except) =>
        [.. Enum.GetValues<IncidentType>().Except(except).Select(t => E(t, ResponseLevel.IV, M(Capability.Firefighting, 1)))];

    [Fact]
    public void The_exact_entry_is_used_when_it_exists()
    {
        var entries = Baseline(IncidentType.Landslide);
        entries.Add(E(IncidentType.Landslide, ResponseLevel.IV, M(Capability.GeologicalHazard, 1), M(Capability.EngineeringMachinery, 1), M(Capability.Medical, 1)));
        entries.Add(E(IncidentType.Landslide, ResponseLevel.III, M(Capability.GeologicalHazard, 2), M(Capability.EngineeringMachinery, 2)));
        var catalogue = new ResponsePlanCatalogue(entries);

        Assert.Equal([M(Capability.GeologicalHazard, 2), M(Capability.EngineeringMachinery, 2)], catalogue.ModulesFor(IncidentType.Landslide, ResponseLevel.III));
    }

    [Fact]
    public void A_missing_level_falls_back_to_the_nearest_less_severe_level()
    {
        var entries = Baseline(IncidentType.Flood);
        entries.Add(E(IncidentType.Flood, ResponseLevel.IV, M(Capability.WaterRescue, 1)));
        entries.Add(E(IncidentType.Flood, ResponseLevel.II, M(Capability.WaterRescue, 3), M(Capability.Aviation, 1)));
        var catalogue = new ResponsePlanCatalogue(entries);

        Assert.Equal([M(Capability.WaterRescue, 1)], catalogue.ModulesFor(IncidentType.Flood, ResponseLevel.IV));
        Assert.Equal([M(Capability.WaterRescue, 1)], catalogue.ModulesFor(IncidentType.Flood, ResponseLevel.III)); // III -> IV
        Assert.Equal([M(Capability.WaterRescue, 3), M(Capability.Aviation, 1)], catalogue.ModulesFor(IncidentType.Flood, ResponseLevel.II));
        Assert.Equal([M(Capability.WaterRescue, 3), M(Capability.Aviation, 1)], catalogue.ModulesFor(IncidentType.Flood, ResponseLevel.I)); // I -> II
        Assert.Equal([M(Capability.Firefighting, 1)], catalogue.ModulesFor(IncidentType.Typhoon, ResponseLevel.I)); // I -> II -> III -> IV
    }

    [Fact]
    public void Modules_of_the_same_capability_are_merged_and_ordered_by_capability()
    {
        var entries = Baseline(IncidentType.GasLeak);
        entries.Add(E(IncidentType.GasLeak, ResponseLevel.IV,
            M(Capability.Medical, 1), M(Capability.NaturalGas, 1), M(Capability.Firefighting, 2), M(Capability.NaturalGas, 2), M(Capability.WaterRescue, 1)));
        var catalogue = new ResponsePlanCatalogue(entries);

        Assert.Equal([M(Capability.WaterRescue, 1), M(Capability.Firefighting, 2), M(Capability.NaturalGas, 3), M(Capability.Medical, 1)],
            catalogue.ModulesFor(IncidentType.GasLeak, ResponseLevel.IV));
        Assert.Equal(5, catalogue.Entries.Single(e => e.Type == IncidentType.GasLeak).Modules.Count); // Entries keep what was given
    }

    [Fact]
    public void Every_problem_is_listed_in_one_refusal()
    {
        var entries = Baseline(IncidentType.Typhoon, IncidentType.Other);
        entries.Add(E(IncidentType.Typhoon, ResponseLevel.III, M(Capability.WaterRescue, 2)));        // no level IV for Typhoon
        entries.Add(E(IncidentType.Flood, ResponseLevel.IV, M(Capability.WaterRescue, 1)));           // duplicate (Flood, IV)
        entries.Add(E(IncidentType.Landslide, ResponseLevel.III, M(Capability.GeologicalHazard, 0))); // count 0
        entries.Add(E(IncidentType.Rainstorm, ResponseLevel.III, M(Capability.WaterRescue, 3)));
        entries.Add(E(IncidentType.Rainstorm, ResponseLevel.I, M(Capability.WaterRescue, 2)));        // I fewer than III
        entries.Add(E(IncidentType.Other, ResponseLevel.IV));                                          // no modules

        var e = Assert.Throws<ArgumentException>(() => new ResponsePlanCatalogue(entries));

        Assert.Contains("Typhoon: no level IV entry", e.Message);
        Assert.Contains("duplicate entry for Flood at level IV", e.Message);
        Assert.Contains("Landslide III: GeologicalHazard count must be from 1 to 1000 (it is 0)", e.Message);
        Assert.Contains("Rainstorm: level I asks for 2 teams in total, fewer than the 3 of level III", e.Message);
        Assert.Contains("Other IV: no modules", e.Message);
    }

    [Fact]
    public void Counts_beyond_the_module_limit_are_refused_and_never_overflow_the_totals()
    {
        // Two modules of int.MaxValue teams summed as int would overflow (a 500 before 2026-12-04); each is refused instead.
        var entries = Baseline();
        entries.Add(E(IncidentType.Flood, ResponseLevel.III, M(Capability.WaterRescue, int.MaxValue), M(Capability.LogisticsSupport, int.MaxValue)));
        var e = Assert.Throws<ArgumentException>(() => new ResponsePlanCatalogue(entries));
        Assert.Contains($"Flood III: WaterRescue count must be from 1 to {ResponsePlanCatalogue.MaxModuleCount} (it is {int.MaxValue})", e.Message);
        Assert.Contains($"Flood III: LogisticsSupport count must be from 1 to {ResponsePlanCatalogue.MaxModuleCount}", e.Message);

        // At the limit, the totals are compared as they are.
        var atLimit = Baseline();
        atLimit.Add(E(IncidentType.Flood, ResponseLevel.III, M(Capability.WaterRescue, ResponsePlanCatalogue.MaxModuleCount), M(Capability.Medical, 1)));
        Assert.Equal(ResponsePlanCatalogue.MaxModuleCount + 1, new ResponsePlanCatalogue(atLimit).ModulesFor(IncidentType.Flood, ResponseLevel.III).Sum(m => m.Count));
    }

    [Fact]
    public void Json_with_an_unknown_capability_or_property_is_refused()
    {
        Assert.Contains("not a valid response plan list",
            Assert.Throws<ArgumentException>(() => ResponsePlanCatalogue.FromJson("""[{ "type": "Flood", "level": "IV", "modules": [{ "capability": "Submarine", "count": 1 }] }]""")).Message);
        Assert.Contains("not a valid response plan list",
            Assert.Throws<ArgumentException>(() => ResponsePlanCatalogue.FromJson("""[{ "type": "Flood", "level": "IV", "modules": [], "teams": 3 }]""")).Message);
        Assert.Contains("no level IV entry",
            Assert.Throws<ArgumentException>(() => ResponsePlanCatalogue.FromJson("[]")).Message);
    }

    [Fact]
    public void Unknown_type_or_level_is_refused()
    {
        var catalogue = new ResponsePlanCatalogue(Baseline());
        Assert.Throws<ArgumentOutOfRangeException>(() => catalogue.ModulesFor((IncidentType)99, ResponseLevel.IV));
        Assert.Throws<ArgumentOutOfRangeException>(() => catalogue.ModulesFor(IncidentType.Flood, (ResponseLevel)0));
    }
}
