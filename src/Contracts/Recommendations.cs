namespace HuaduDispatch.Contracts;

[GenerateSerializer, Immutable, Alias("huadu.RecommendedTeam")]
public sealed record RecommendedTeam
{
    [Id(0)] public required string TeamId { get; init; }
    /// <summary>Estimated time of arrival.</summary>
    [Id(1)] public required DateTimeOffset Eta { get; init; }
    [Id(2)] public required double EtaMinutes { get; init; }
    [Id(3)] public required double DistanceKm { get; init; }
    [Id(4)] public required string Reason { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.UnfilledModule")]
public sealed record UnfilledModule
{
    [Id(0)] public required Capability Capability { get; init; }
    [Id(1)] public required int Missing { get; init; }
    /// <summary>NoTeamWithCapability, AllBusy or TooFar.</summary>
    [Id(2)] public required string Reason { get; init; }
    [Id(3)] public required string Detail { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.ModuleRecommendation")]
public sealed record ModuleRecommendation
{
    [Id(0)] public required Capability Capability { get; init; }
    /// <summary>Teams still needed for this module (required minus teams already assigned that cover it).</summary>
    [Id(1)] public required int Needed { get; init; }
    [Id(2)] public required IReadOnlyList<RecommendedTeam> Picks { get; init; }
    /// <summary>Available teams with the capability ranked by ETA, specialists first on ties.</summary>
    [Id(3)] public required IReadOnlyList<RecommendedTeam> Candidates { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.IncidentRecommendation")]
public sealed record IncidentRecommendation
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required ResponseLevel ResponseLevel { get; init; }
    [Id(2)] public required DateTimeOffset ComputedAt { get; init; }
    [Id(3)] public required IReadOnlyList<ModuleRecommendation> Modules { get; init; }
    [Id(4)] public required IReadOnlyList<UnfilledModule> Unfilled { get; init; }
    /// <summary>Other open incidents whose needs were solved together with this one (teams go to one incident at a time).</summary>
    [Id(5)] public required IReadOnlyList<string> SolvedJointlyWith { get; init; }
}

/// <summary>What an incident still needs, for the joint recommender.</summary>
[GenerateSerializer, Immutable, Alias("huadu.IncidentNeedSnapshot")]
public sealed record IncidentNeedSnapshot
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required IncidentType Type { get; init; }
    [Id(2)] public required ResponseLevel Level { get; init; }
    [Id(3)] public required GeoPoint Location { get; init; }
    [Id(4)] public required double Priority { get; init; }
    /// <summary>Modules not yet covered by assigned teams.</summary>
    [Id(5)] public required IReadOnlyList<ModuleRequirement> Open { get; init; }
}
