using System.Text;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Reference;

namespace HuaduDispatch.UnitTests;

public sealed class ReferenceDataValidatorTests
{
    internal static ReferenceDataSet Minimal() => new()
    {
        Version = "t1",
        Areas = [new Area { Id = "xinhua", Kind = AreaKind.Street, NameZh = "新华街", NameEn = "Xinhua Street", Centroid = new GeoPoint { Lat = 23.4, Lon = 113.22 } }],
        Teams = [new RescueTeamDefinition
        {
            Id = "D01", NameZh = "水域救援队", NameEn = "Water rescue", Level = TeamLevel.District, AreaId = "xinhua",
            Capabilities = [Capability.WaterRescue], Members = 20, HomeBase = new GeoPoint { Lat = 23.4, Lon = 113.22 },
        }],
        Items = [new ReliefItem { Code = "drinking-water", NameZh = "饮用水", NameEn = "Drinking water", Unit = "case", WeightKg = 19, VolumeM3 = 0.02 }],
        Warehouses = [new WarehouseDefinition
        {
            Id = "WH-1", Kind = WarehouseKind.RegionalDepot, NameZh = "区域保障库", NameEn = "Regional depot", AreaId = "xinhua",
            Position = new GeoPoint { Lat = 23.4, Lon = 113.22 }, MobilisationMinutes = 30,
            Fleet = new Fleet { Trucks = 2, CapacityKg = 5000, CapacityM3 = 20 },
            Stock = [new StockLine { ItemCode = "drinking-water", Quantity = 100 }],
        }],
        Shelters = [], RiskPoints = [], HazardPoints = [],
    };

    [Fact]
    public void A_consistent_set_has_no_errors() => Assert.Empty(ReferenceDataValidator.Validate(Minimal()));

    [Fact]
    public void Duplicate_team_ids_are_refused()
    {
        var set = Minimal();
        set = set with { Teams = [set.Teams[0], set.Teams[0]] };
        Assert.Contains(ReferenceDataValidator.Validate(set), e => e.Contains("'D01' appears more than once"));
    }

    [Fact]
    public void A_team_in_an_unknown_area_is_refused()
    {
        var set = Minimal();
        set = set with { Teams = [set.Teams[0] with { AreaId = "atlantis" }] };
        Assert.Contains(ReferenceDataValidator.Validate(set), e => e.Contains("unknown areaId 'atlantis'"));
    }

    [Fact]
    public void Stock_of_an_unknown_item_or_a_negative_quantity_is_refused()
    {
        var set = Minimal();
        var wh = set.Warehouses[0] with { Stock = [new StockLine { ItemCode = "gold", Quantity = 1 }, new StockLine { ItemCode = "drinking-water", Quantity = -5 }] };
        var errors = ReferenceDataValidator.Validate(set with { Warehouses = [wh] });
        Assert.Contains(errors, e => e.Contains("unknown item 'gold'"));
        Assert.Contains(errors, e => e.Contains("must not be negative"));
    }

    [Fact]
    public void An_industry_depot_without_category_is_refused()
    {
        var set = Minimal();
        var wh = set.Warehouses[0] with { Kind = WarehouseKind.IndustryCentralDepot, Category = null };
        Assert.Contains(ReferenceDataValidator.Validate(set with { Warehouses = [wh] }), e => e.Contains("needs a category"));
    }

    [Fact]
    public void A_position_off_the_globe_is_refused()
    {
        var set = Minimal();
        set = set with { Teams = [set.Teams[0] with { HomeBase = new GeoPoint { Lat = 123.4, Lon = 23.22 } }] };
        Assert.Contains(ReferenceDataValidator.Validate(set), e => e.Contains("not a valid WGS 84 position"));
    }

    [Fact]
    public void A_file_that_is_not_json_or_misses_a_required_field_is_refused_with_a_reason()
    {
        var e1 = Assert.Throws<InvalidReferenceDataException>(() => ReferenceDataFile.Parse("{ not json"u8));
        Assert.Contains("not a valid reference data file", e1.Errors[0]);
        var e2 = Assert.Throws<InvalidReferenceDataException>(() => ReferenceDataFile.Parse("""{"version":"x","areas":[]}"""u8));
        Assert.Contains("teams", e2.Errors[0]);
    }

    [Fact]
    public void The_content_hash_changes_with_the_content_and_only_with_it()
    {
        var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Minimal(), DispatchJson.Options));
        var (_, h1) = ReferenceDataFile.Parse(json);
        var (_, h2) = ReferenceDataFile.Parse(json);
        var (_, h3) = ReferenceDataFile.Parse(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Minimal() with { Version = "t2" }, DispatchJson.Options)));
        Assert.Equal(h1, h2);
        Assert.NotEqual(h1, h3);
    }
}

public sealed class StorageKeyTests
{
    [Theory]
    [InlineData("D01", "d01")]
    [InlineData("D01", "0D01")]
    [InlineData("10", "010")]
    public void Ids_that_the_storage_provider_would_store_as_one_row_are_refused(string a, string b)
    {
        var set = ReferenceDataValidatorTests.Minimal();
        set = set with { Teams = [set.Teams[0] with { Id = a }, set.Teams[0] with { Id = b }] };
        Assert.Contains(ReferenceDataValidator.Validate(set), e => e.Contains("would share one stored grain state"));
    }

    [Fact]
    public void Ids_with_characters_outside_the_id_alphabet_are_refused()
    {
        var set = ReferenceDataValidatorTests.Minimal();
        set = set with { Teams = [set.Teams[0] with { Id = "D01+x" }] };
        Assert.Contains(ReferenceDataValidator.Validate(set), e => e.Contains("must be 1-64 characters"));
    }
}
