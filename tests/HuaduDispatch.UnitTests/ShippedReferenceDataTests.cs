using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Reference;

namespace HuaduDispatch.UnitTests;

/// <summary>The shipped data set keeps the figures of the district plan (../shared/reference/huadu-digest.md).</summary>
public sealed class ShippedReferenceDataTests
{
    private static readonly ReferenceDataSet Set =
        ReferenceDataFile.Load(Path.Combine(AppContext.BaseDirectory, "ReferenceData", "huadu-reference.json")).Set;

    [Fact]
    public void Has_the_ten_towns_and_streets_and_two_management_committees()
    {
        Assert.Equal(12, Set.Areas.Count);
        Assert.Equal(4, Set.Areas.Count(a => a.Kind == AreaKind.Street));
        Assert.Equal(6, Set.Areas.Count(a => a.Kind == AreaKind.Town));
        Assert.Equal(2, Set.Areas.Count(a => a.Kind == AreaKind.ManagementCommittee));
        Assert.All(Set.Areas, a => Assert.False(string.IsNullOrWhiteSpace(a.NameZh) || string.IsNullOrWhiteSpace(a.NameEn)));
    }

    [Fact]
    public void Teams_keep_the_plan_itemisation_8_district_teams_160_members_17_town_teams_252_members_26_in_all_412()
    {
        Assert.Equal(26, Set.Teams.Count);
        Assert.Equal(412, Set.Teams.Sum(t => t.Members));
        var district = Set.Teams.Where(t => t.Level == TeamLevel.District && t.Id != "F01").ToList();
        var town = Set.Teams.Where(t => t.Level == TeamLevel.Town).ToList();
        Assert.Equal(8, district.Count);
        Assert.Equal(160, district.Sum(t => t.Members));
        Assert.Equal(17, town.Count);
        Assert.Equal(252, town.Sum(t => t.Members));
        Assert.All(town, t => Assert.True(t.Capabilities.Contains(Capability.ForestFire) || t.Capabilities.Contains(Capability.Firefighting)));
        var fire = Assert.Single(Set.Teams, t => t.Id == "F01");
        Assert.Contains(Capability.Firefighting, fire.Capabilities);
    }

    [Fact]
    public void Every_specialism_the_plan_names_is_covered_by_a_team()
    {
        var covered = Set.Teams.SelectMany(t => t.Capabilities).ToHashSet();
        Capability[] named = [Capability.WaterRescue, Capability.ForestFire, Capability.HazardousChemicals, Capability.Firefighting,
            Capability.NaturalGas, Capability.GeologicalHazard, Capability.EngineeringMachinery, Capability.LogisticsSupport,
            Capability.Medical, Capability.RoadTraffic, Capability.PowerLifelines, Capability.DroneReconnaissance];
        Assert.All(named, c => Assert.Contains(c, covered));
    }

    [Fact]
    public void Warehouse_network_has_the_regional_depot_seven_industry_depots_supply_points_and_agreement_reserves()
    {
        Assert.Single(Set.Warehouses, w => w.Kind == WarehouseKind.RegionalDepot);
        var industry = Set.Warehouses.Where(w => w.Kind == WarehouseKind.IndustryCentralDepot).ToList();
        Assert.Equal(7, industry.Count);
        Assert.Equal(Enum.GetValues<DepotCategory>().Order(), industry.Select(w => w.Category!.Value).Order());
        Assert.True(Set.Warehouses.Count(w => w.Kind == WarehouseKind.ComprehensiveSupplyPoint) >= 4);
        Assert.True(Set.Warehouses.Count(w => w.Kind == WarehouseKind.AgreementReserve) >= 2);
        Assert.All(Set.Warehouses, w => Assert.NotEmpty(w.Stock));
        string[] required = ["drinking-water", "ready-meal", "blanket", "tent", "folding-bed", "clothing", "hygiene-kit", "lighting",
            "life-jacket", "sandbag", "pump", "generator", "first-aid-kit"];
        var stocked = Set.Warehouses.SelectMany(w => w.Stock).Select(s => s.ItemCode).ToHashSet();
        Assert.All(required, code => Assert.Contains(code, stocked));
    }

    [Fact]
    public void Has_139_shelters_and_151_risk_points_coloured_1_red_3_orange_27_yellow_120_blue()
    {
        Assert.Equal(139, Set.Shelters.Count);
        Assert.Equal(151, Set.RiskPoints.Count);
        Assert.Equal(1, Set.RiskPoints.Count(r => r.Colour == RiskColour.Red));
        Assert.Equal(3, Set.RiskPoints.Count(r => r.Colour == RiskColour.Orange));
        Assert.Equal(27, Set.RiskPoints.Count(r => r.Colour == RiskColour.Yellow));
        Assert.Equal(120, Set.RiskPoints.Count(r => r.Colour == RiskColour.Blue));
    }

    [Fact]
    public void Has_39_geological_hazard_points_and_12_flood_black_spots()
    {
        var geo = Set.HazardPoints.Where(h => h.Kind == HazardKind.GeologicalHazard).ToList();
        Assert.Equal(39, geo.Count);
        Assert.Equal(22, geo.Count(h => h.Subtype == "Collapse"));
        Assert.Equal(11, geo.Count(h => h.Subtype == "Landslide"));
        Assert.Equal(4, geo.Count(h => h.Subtype == "GroundCollapse"));
        Assert.Equal(2, geo.Count(h => h.Subtype == "Settlement"));
        Assert.Equal(21, geo.Count(h => h.Scale == "Medium"));
        Assert.Equal(18, geo.Count(h => h.Scale == "Small"));
        Assert.Equal(12, Set.HazardPoints.Count(h => h.Kind == HazardKind.FloodBlackSpot));
    }

    [Fact]
    public void Every_position_lies_inside_the_district()
    {
        var points = Set.Areas.Select(a => a.Centroid)
            .Concat(Set.Teams.Select(t => t.HomeBase))
            .Concat(Set.Warehouses.Select(w => w.Position))
            .Concat(Set.Shelters.Select(s => s.Position))
            .Concat(Set.RiskPoints.Select(r => r.Position))
            .Concat(Set.HazardPoints.Select(h => h.Position));
        Assert.All(points, p => Assert.True(p.Lat is >= 23.25 and <= 23.62 && p.Lon is >= 112.95 and <= 113.47, $"{p} is outside Huadu"));
    }
}
