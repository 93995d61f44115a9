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
    /// <summary>The last note sent with an occupancy report (what, who, when); null until one is sent.</summary>
    [Id(12)] public ShelterNote? LastNote { get; init; }
    /// <summary>A dispatcher closed it: placements pass it by until one opens it (a shelter never opened is not closed, and opens for people).</summary>
    [Id(13)] public bool ClosedByDispatcher { get; init; }
    /// <summary>
    /// Places left: capacity less occupancy or less the places admitted incidents hold, whichever is more (a head count below
    /// the placements frees no place until the incident's figure is corrected), open or never opened (placements open it); 0
    /// when a dispatcher closed it. Before the twenty-seventh session a shelter never opened read 0 though it would take people.
    /// </summary>
    public int Room => ClosedByDispatcher ? 0 : Math.Max(0, Capacity - Math.Max(Occupancy, Admitted.Values.Sum()));
}

/// <summary>Body of POST /api/v1/shelters/{id}/occupancy.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ShelterOccupancyRequest")]
public sealed record ShelterOccupancyRequest
{
    /// <summary>The head count now.</summary>
    [Id(0)] public int? Occupancy { get; init; }
    /// <summary>
    /// True opens the shelter, false closes it (only when it holds nobody). A head count above 0 on a shelter never opened opens
    /// it; on one a dispatcher closed it is refused unless this is true.
    /// </summary>
    [Id(1)] public bool? Open { get; init; }
    /// <summary>A few words for the record (up to 500 characters): kept as the shelter's last note, with who sent it and when.</summary>
    [Id(2)] public string? Note { get; init; }
}

/// <summary>A note sent with a shelter's occupancy report.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ShelterNote")]
public sealed record ShelterNote
{
    public const int MaxLength = 500;
    [Id(0)] public required string Text { get; init; }
    [Id(1)] public required string By { get; init; }
    [Id(2)] public required DateTimeOffset At { get; init; }
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
    /// <summary>
    /// The places held for <paramref name="from"/> pass to <paramref name="to"/> (an incident merged into another): nobody
    /// moves, the occupancy stays. Returns how many places <paramref name="to"/> holds here now. Idempotent.
    /// </summary>
    [Alias("Transfer")] Task<int> Transfer(string from, string to, Actor actor);
    /// <summary>The relief of <paramref name="incidentId"/> has stored that this shelter's closure dropped its places: it is not told again.</summary>
    [Alias("ClosureNoted")] Task ClosureNoted(string incidentId);
}
