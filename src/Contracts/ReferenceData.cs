using System.Text.Json.Serialization;

namespace HuaduDispatch.Contracts;

/// <summary>A WGS 84 position. JSON: {"lat": .., "lon": ..}.</summary>
[GenerateSerializer, Immutable, Alias("huadu.GeoPoint")]
public sealed record GeoPoint
{
    [Id(0)] public required double Lat { get; init; }
    [Id(1)] public required double Lon { get; init; }

    [JsonIgnore] public bool IsValid => Lat is >= -90 and <= 90 && Lon is >= -180 and <= 180 && !double.IsNaN(Lat) && !double.IsNaN(Lon);
}

/// <summary>Kind of administrative area: street (街), town (镇) or management committee (管委会).</summary>
[Alias("huadu.AreaKind")]
public enum AreaKind { Street, Town, ManagementCommittee }

/// <summary>An administrative area of the district (镇街 / 管委会).</summary>
[GenerateSerializer, Immutable, Alias("huadu.Area")]
public sealed record Area
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required AreaKind Kind { get; init; }
    [Id(2)] public required string NameZh { get; init; }
    [Id(3)] public required string NameEn { get; init; }
    [Id(4)] public required GeoPoint Centroid { get; init; }
    [Id(5)] public int Population { get; init; }
}

[Alias("huadu.TeamLevel")]
public enum TeamLevel { District, Town }

/// <summary>Specialisms of rescue teams (救援专长), used by response-plan modules.</summary>
[Alias("huadu.Capability")]
public enum Capability
{
    WaterRescue, ForestFire, Firefighting, HazardousChemicals, NaturalGas, GeologicalHazard, EngineeringMachinery,
    LogisticsSupport, Medical, RoadTraffic, PowerLifelines, DroneReconnaissance, Aviation, UrbanSearchRescue, ConfinedSpace,
}

/// <summary>Static description of a rescue team (应急救援队伍) as the reference data set gives it.</summary>
[GenerateSerializer, Immutable, Alias("huadu.RescueTeamDefinition")]
public sealed record RescueTeamDefinition
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string NameZh { get; init; }
    [Id(2)] public required string NameEn { get; init; }
    [Id(3)] public required TeamLevel Level { get; init; }
    [Id(4)] public required string AreaId { get; init; }
    [Id(5)] public required IReadOnlyList<Capability> Capabilities { get; init; }
    [Id(6)] public required int Members { get; init; }
    [Id(7)] public required GeoPoint HomeBase { get; init; }
    [Id(8)] public string? Note { get; init; }
}

/// <summary>A relief item of the catalogue (救灾物资).</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefItem")]
public sealed record ReliefItem
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string NameZh { get; init; }
    [Id(2)] public required string NameEn { get; init; }
    [Id(3)] public required string Unit { get; init; }
    [Id(4)] public required double WeightKg { get; init; }
    [Id(5)] public required double VolumeM3 { get; init; }
}

[Alias("huadu.WarehouseKind")]
public enum WarehouseKind { RegionalDepot, IndustryCentralDepot, ComprehensiveSupplyPoint, AgreementReserve, CommercialReserve }

/// <summary>Category of an industry central depot (行业中心库).</summary>
[Alias("huadu.DepotCategory")]
public enum DepotCategory { DisasterReduction, ProductionSafety, FloodDrought, EarthquakeGeological, Fire, PublicHealth, ShelterSupplies }

[GenerateSerializer, Immutable, Alias("huadu.Fleet")]
public sealed record Fleet
{
    [Id(0)] public required int Trucks { get; init; }
    /// <summary>Payload of one truck on one trip.</summary>
    [Id(1)] public required double CapacityKg { get; init; }
    [Id(2)] public required double CapacityM3 { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.StockLine")]
public sealed record StockLine
{
    [Id(0)] public required string ItemCode { get; init; }
    [Id(1)] public required long Quantity { get; init; }
}

/// <summary>Static description of a warehouse of the reserve network (应急物资储备库) and its initial stock.</summary>
[GenerateSerializer, Immutable, Alias("huadu.WarehouseDefinition")]
public sealed record WarehouseDefinition
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required WarehouseKind Kind { get; init; }
    [Id(2)] public DepotCategory? Category { get; init; }
    [Id(3)] public required string NameZh { get; init; }
    [Id(4)] public required string NameEn { get; init; }
    [Id(5)] public required string AreaId { get; init; }
    [Id(6)] public required GeoPoint Position { get; init; }
    [Id(7)] public string? Operator { get; init; }
    /// <summary>Minutes from an order to the first truck leaving.</summary>
    [Id(8)] public required int MobilisationMinutes { get; init; }
    [Id(9)] public required Fleet Fleet { get; init; }
    [Id(10)] public required IReadOnlyList<StockLine> Stock { get; init; }
}

[Alias("huadu.ShelterKind")]
public enum ShelterKind { School, Park, Gymnasium, CommunityCentre, Square, Other }

/// <summary>An emergency shelter (应急庇护场所).</summary>
[GenerateSerializer, Immutable, Alias("huadu.Shelter")]
public sealed record Shelter
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string NameZh { get; init; }
    [Id(2)] public required string NameEn { get; init; }
    [Id(3)] public required ShelterKind Kind { get; init; }
    [Id(4)] public required string AreaId { get; init; }
    [Id(5)] public required GeoPoint Position { get; init; }
    [Id(6)] public required int Capacity { get; init; }
    [Id(7)] public required double FloorAreaM2 { get; init; }
}

/// <summary>Colour of the four-colour risk map (四色图).</summary>
[Alias("huadu.RiskColour")]
public enum RiskColour { Red, Orange, Yellow, Blue }

[Alias("huadu.RiskKind")]
public enum RiskKind { HazardousChemicals, PetrolStation, GasPipeline, ConstructionSite, CrowdedPlace, Industrial, Warehouse, Other }

/// <summary>An urban risk point or hazard source (城市风险点、危险源).</summary>
[GenerateSerializer, Immutable, Alias("huadu.RiskPoint")]
public sealed record RiskPoint
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string NameZh { get; init; }
    [Id(2)] public required string NameEn { get; init; }
    [Id(3)] public required RiskKind Kind { get; init; }
    [Id(4)] public required RiskColour Colour { get; init; }
    [Id(5)] public required string AreaId { get; init; }
    [Id(6)] public required GeoPoint Position { get; init; }
}

[Alias("huadu.HazardKind")]
public enum HazardKind { GeologicalHazard, FloodBlackSpot }

/// <summary>A registered geological hazard point (地质灾害隐患点) or flood black spot (洪涝黑点).</summary>
[GenerateSerializer, Immutable, Alias("huadu.HazardPoint")]
public sealed record HazardPoint
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required HazardKind Kind { get; init; }
    /// <summary>Collapse, Landslide, GroundCollapse, Settlement (geological) or Waterlogging (flood black spot).</summary>
    [Id(2)] public required string Subtype { get; init; }
    /// <summary>Medium or Small for geological hazards.</summary>
    [Id(3)] public string? Scale { get; init; }
    [Id(4)] public required string NameZh { get; init; }
    [Id(5)] public required string NameEn { get; init; }
    [Id(6)] public required string AreaId { get; init; }
    [Id(7)] public required GeoPoint Position { get; init; }
}

/// <summary>The district's reference data set as shipped in huadu-reference.json (or a bureau's replacement).</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReferenceDataSet")]
public sealed record ReferenceDataSet
{
    [Id(0)] public required string Version { get; init; }
    [Id(1)] public string? Notes { get; init; }
    [Id(2)] public required IReadOnlyList<Area> Areas { get; init; }
    [Id(3)] public required IReadOnlyList<RescueTeamDefinition> Teams { get; init; }
    [Id(4)] public required IReadOnlyList<ReliefItem> Items { get; init; }
    [Id(5)] public required IReadOnlyList<WarehouseDefinition> Warehouses { get; init; }
    [Id(6)] public required IReadOnlyList<Shelter> Shelters { get; init; }
    [Id(7)] public required IReadOnlyList<RiskPoint> RiskPoints { get; init; }
    [Id(8)] public required IReadOnlyList<HazardPoint> HazardPoints { get; init; }
}
