using Orleans.Concurrency;

namespace HuaduDispatch.Contracts;

/// <summary>What loading a reference data set did.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReferenceLoadResult")]
public sealed record ReferenceLoadResult
{
    [Id(0)] public required bool Applied { get; init; }
    [Id(1)] public required string Version { get; init; }
    [Id(2)] public required string ContentHash { get; init; }
    [Id(3)] public required DateTimeOffset LoadedAt { get; init; }
    /// <summary>
    /// What the admin should know about a set applied: teams it removed that are working an incident, warehouses it removed
    /// that hold reserved stock. They keep what they have; the lists no longer show them.
    /// </summary>
    [Id(4)] public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Summary of the reference data set in force.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReferenceDataStatus")]
public sealed record ReferenceDataStatus
{
    [Id(0)] public required string Version { get; init; }
    [Id(1)] public required string ContentHash { get; init; }
    [Id(2)] public required DateTimeOffset LoadedAt { get; init; }
    [Id(3)] public required int Areas { get; init; }
    [Id(4)] public required int Teams { get; init; }
    [Id(5)] public required int TeamMembers { get; init; }
    [Id(6)] public required int Warehouses { get; init; }
    [Id(7)] public required int Items { get; init; }
    [Id(8)] public required int Shelters { get; init; }
    [Id(9)] public required int RiskPoints { get; init; }
    [Id(10)] public required int HazardPoints { get; init; }
}

/// <summary>
/// The district's reference catalogue (one grain, key <see cref="ReferenceData.GrainKey"/>): areas, items, shelters, risk and
/// hazard points, and the ids of the team and warehouse grains it created. Loading is idempotent by content hash.
/// </summary>
[Alias("huadu.IReferenceDataGrain")]
public interface IReferenceDataGrain : IGrainWithStringKey
{
    /// <summary>Applies the set unless a set with the same content hash is already in force.</summary>
    [Alias("Load")] Task<ReferenceLoadResult> Load(ReferenceDataSet set, string contentHash);
    [Alias("GetStatus"), ReadOnly] Task<ReferenceDataStatus?> GetStatus();
    [Alias("GetAreas"), ReadOnly] Task<IReadOnlyList<Area>> GetAreas();
    [Alias("GetItems"), ReadOnly] Task<IReadOnlyList<ReliefItem>> GetItems();
    [Alias("GetShelters"), ReadOnly] Task<IReadOnlyList<Shelter>> GetShelters();
    [Alias("GetRiskPoints"), ReadOnly] Task<IReadOnlyList<RiskPoint>> GetRiskPoints();
    [Alias("GetHazardPoints"), ReadOnly] Task<IReadOnlyList<HazardPoint>> GetHazardPoints();
    [Alias("GetTeamIds"), ReadOnly] Task<IReadOnlyList<string>> GetTeamIds();
    [Alias("GetWarehouseIds"), ReadOnly] Task<IReadOnlyList<string>> GetWarehouseIds();
}

public static class ReferenceData
{
    /// <summary>The key of the district's single reference catalogue grain.</summary>
    public const string GrainKey = "huadu";
}
