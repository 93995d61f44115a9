using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Reference;

[GenerateSerializer, Alias("huadu.ReferenceCatalogueState")]
public sealed class ReferenceCatalogueState
{
    [Id(0)] public string? Version { get; set; }
    [Id(1)] public string? ContentHash { get; set; }
    [Id(2)] public DateTimeOffset LoadedAt { get; set; }
    [Id(3)] public List<Area> Areas { get; set; } = [];
    [Id(4)] public List<ReliefItem> Items { get; set; } = [];
    [Id(5)] public List<Shelter> Shelters { get; set; } = [];
    [Id(6)] public List<RiskPoint> RiskPoints { get; set; } = [];
    [Id(7)] public List<HazardPoint> HazardPoints { get; set; } = [];
    [Id(8)] public List<string> TeamIds { get; set; } = [];
    [Id(9)] public List<string> WarehouseIds { get; set; } = [];
    [Id(10)] public int TeamMembers { get; set; }
}

/// <summary>
/// The district's reference catalogue. Loading first updates every team and warehouse grain (each step idempotent),
/// then records the content hash; a crash in between means the next start applies the same set again, harmlessly.
/// </summary>
public sealed class ReferenceDataGrain(
    [PersistentState("catalogue", StorageNames.Dispatch)] IPersistentState<ReferenceCatalogueState> state,
    TimeProvider clock) : Grain, IReferenceDataGrain
{
    private ReferenceCatalogueState S => state.State;

    public async Task<ReferenceLoadResult> Load(ReferenceDataSet set, string contentHash)
    {
        if (S.ContentHash == contentHash)
        {
            return new ReferenceLoadResult { Applied = false, Version = S.Version!, ContentHash = contentHash, LoadedAt = S.LoadedAt };
        }

        var errors = ReferenceDataValidator.Validate(set);
        if (errors.Count > 0) throw new InvalidReferenceDataException(errors);
        var replacing = S.ContentHash is not null;
        var warnings = replacing ? await Removals(set) : [];

        await Task.WhenAll(set.Teams.Select(t => GrainFactory.Grain<IRescueTeamGrain>(t.Id).ApplyDefinition(t)));
        await Task.WhenAll(set.Warehouses.Select(w => GrainFactory.Grain<IWarehouseGrain>(w.Id).ApplyDefinition(w)));
        await Task.WhenAll(set.Shelters.Select(s => GrainFactory.Grain<IShelterGrain>(s.Id).ApplyDefinition(s)));

        state.State = new ReferenceCatalogueState
        {
            Version = set.Version,
            ContentHash = contentHash,
            LoadedAt = clock.GetUtcNow(),
            Areas = [.. set.Areas],
            Items = [.. set.Items],
            Shelters = [.. set.Shelters],
            RiskPoints = [.. set.RiskPoints],
            HazardPoints = [.. set.HazardPoints],
            TeamIds = [.. set.Teams.Select(t => t.Id)],
            WarehouseIds = [.. set.Warehouses.Select(w => w.Id)],
            TeamMembers = set.Teams.Sum(t => t.Members),
        };
        await state.WriteOrRestartAsync(this);
        // A warehouse added or its fleet changed can cover a shortfall of the plan in force (one-way: the coordinator reads
        // this grain while it plans). The first load of a fresh system has nothing planned yet.
        // A shelter added or its capacity raised can take relocated people who have no place yet (one-way too).
        if (replacing)
        {
            var coordinator = GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);
            await coordinator.ReferenceDataChanged();
            await coordinator.ShelterRoom();
        }
        return new ReferenceLoadResult { Applied = true, Version = set.Version, ContentHash = contentHash, LoadedAt = S.LoadedAt, Warnings = warnings };
    }

    /// <summary>
    /// Teams the new set removes while they work an incident, and warehouses it removes while they hold reserved stock: applied
    /// all the same (the file is the bureau's record), but said in the answer (until the thirty-first session a reload removing
    /// a crew on an incident was applied without a word, and the crew vanished from the lists and the map).
    /// </summary>
    private async Task<List<string>> Removals(ReferenceDataSet set)
    {
        var warnings = new List<string>();
        var keptTeams = set.Teams.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in S.TeamIds.Where(id => !keptTeams.Contains(id)))
            if (await GrainFactory.Grain<IRescueTeamGrain>(id).Get() is { IncidentId: { } incident } team)
                warnings.Add($"team {id} is removed but is {team.Status} on incident {incident}: it stays on it until released, and no longer shows in the team lists and map");
        var keptWarehouses = set.Warehouses.Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in S.WarehouseIds.Where(id => !keptWarehouses.Contains(id)))
            if (await GrainFactory.Grain<IWarehouseGrain>(id).Get() is { } warehouse && warehouse.Stock.Sum(s => s.Reserved) is > 0 and var reserved)
                warnings.Add($"warehouse {id} is removed but holds {reserved} reserved units for relief convoys: plans no longer draw on it");
        return warnings;
    }

    public Task<ReferenceDataStatus?> GetStatus() => Task.FromResult(S.ContentHash is null ? null : new ReferenceDataStatus
    {
        Version = S.Version!,
        ContentHash = S.ContentHash,
        LoadedAt = S.LoadedAt,
        Areas = S.Areas.Count,
        Teams = S.TeamIds.Count,
        TeamMembers = S.TeamMembers,
        Warehouses = S.WarehouseIds.Count,
        Items = S.Items.Count,
        Shelters = S.Shelters.Count,
        RiskPoints = S.RiskPoints.Count,
        HazardPoints = S.HazardPoints.Count,
    });

    public Task<IReadOnlyList<Area>> GetAreas() => Task.FromResult<IReadOnlyList<Area>>(S.Areas);
    public Task<IReadOnlyList<ReliefItem>> GetItems() => Task.FromResult<IReadOnlyList<ReliefItem>>(S.Items);
    public Task<IReadOnlyList<Shelter>> GetShelters() => Task.FromResult<IReadOnlyList<Shelter>>(S.Shelters);
    public Task<IReadOnlyList<RiskPoint>> GetRiskPoints() => Task.FromResult<IReadOnlyList<RiskPoint>>(S.RiskPoints);
    public Task<IReadOnlyList<HazardPoint>> GetHazardPoints() => Task.FromResult<IReadOnlyList<HazardPoint>>(S.HazardPoints);
    public Task<IReadOnlyList<string>> GetTeamIds() => Task.FromResult<IReadOnlyList<string>>(S.TeamIds);
    public Task<IReadOnlyList<string>> GetWarehouseIds() => Task.FromResult<IReadOnlyList<string>>(S.WarehouseIds);
}
