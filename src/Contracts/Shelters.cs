namespace HuaduDispatch.Contracts;

/// <summary>An emergency shelter with its live occupancy.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ShelterLive")]
public sealed record ShelterLive
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string NameZh { get; init; }
    [Id(2)] public required string NameEn { get; init; }
    [Id(3)] public required ShelterKind Kind { get; init; }
    [Id(4)] public required string AreaId { get; init; }
    [Id(5)] public required GeoPoint Position { get; init; }
    /// <summary>People it can take (the plan's standard: 1 m² per person; never more than the floor area allows).</summary>
    [Id(6)] public required int Capacity { get; init; }
    [Id(7)] public required double FloorAreaM2 { get; init; }
    [Id(8)] public required int Occupancy { get; init; }
    [Id(9)] public required bool Open { get; init; }
    [Id(10)] public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>People admitted per incident.</summary>
    [Id(11)] public IReadOnlyDictionary<string, int> Admitted { get; init; } = new Dictionary<string, int>();
    public int Room => Open ? Math.Max(0, Capacity - Occupancy) : 0;
}

/// <summary>Body of POST /api/v1/shelters/{id}/occupancy.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ShelterOccupancyRequest")]
public sealed record ShelterOccupancyRequest
{
    /// <summary>The head count now.</summary>
    [Id(0)] public int? Occupancy { get; init; }
    [Id(1)] public bool? Open { get; init; }
    [Id(2)] public string? Note { get; init; }
}

/// <summary>One emergency shelter (应急庇护场所), keyed by its id.</summary>
[Alias("huadu.IShelterGrain")]
public interface IShelterGrain : IGrainWithStringKey
{
    [Alias("ApplyDefinition")] Task ApplyDefinition(Shelter definition);
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<ShelterLive?> Get();
    [Alias("SetOccupancy")] Task<ShelterLive> SetOccupancy(ShelterOccupancyRequest request, Actor actor);
    /// <summary>Admits up to <paramref name="people"/> relocated people of an incident; returns how many it took (idempotent per incident: the figure is the incident's total here).</summary>
    [Alias("Admit")] Task<int> Admit(string incidentId, int people, Actor actor);
}
