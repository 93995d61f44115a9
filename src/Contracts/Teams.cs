namespace HuaduDispatch.Contracts;

/// <summary>Operational status of a rescue team (队伍状态).</summary>
[Alias("huadu.TeamStatus")]
public enum TeamStatus { Available, Assigned, EnRoute, OnScene, Returning, OutOfService, OffDuty }

/// <summary>A team's last known position with the time it was reported.</summary>
[GenerateSerializer, Immutable, Alias("huadu.TeamPosition")]
public sealed record TeamPosition
{
    [Id(0)] public required double Lat { get; init; }
    [Id(1)] public required double Lon { get; init; }
    [Id(2)] public required DateTimeOffset At { get; init; }
}

/// <summary>A rescue team as the API shows it: reference description plus live status.</summary>
[GenerateSerializer, Immutable, Alias("huadu.RescueTeam")]
public sealed record RescueTeam
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
    [Id(9)] public required TeamStatus Status { get; init; }
    [Id(10)] public required DateTimeOffset StatusChangedAt { get; init; }
    [Id(11)] public required TeamPosition Position { get; init; }
    /// <summary>The incident the team is assigned to, if any.</summary>
    [Id(12)] public string? IncidentId { get; init; }
    [Id(13)] public string? StatusNote { get; init; }
    /// <summary>
    /// When the status took effect by the time the crew's report gave (a late radio report's <c>occurredAt</c>); null when the
    /// server set it, or the report gave none (then it took effect at <see cref="StatusChangedAt"/>).
    /// </summary>
    [Id(14)] public DateTimeOffset? StatusReportedAt { get; init; }
}

/// <summary>One rescue team (one grain per team, keyed by team id).</summary>
[Alias("huadu.IRescueTeamGrain")]
public interface IRescueTeamGrain : IGrainWithStringKey
{
    /// <summary>Creates the team or updates its reference description; live status is kept.</summary>
    [Alias("ApplyDefinition")] Task ApplyDefinition(RescueTeamDefinition definition);

    /// <summary>The team, or null when no reference data set ever defined it.</summary>
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<RescueTeam?> Get();

    /// <summary>A radio or app reports the team's status (rules: see TeamStatusRules).</summary>
    [Alias("ReportStatus")] Task<RescueTeam> ReportStatus(TeamStatusReport report, Actor actor);
    [Alias("ReportPosition")] Task<RescueTeam> ReportPosition(TeamPositionReport report, Actor actor);
    /// <summary>Assigns the team to an incident; idempotent for the same incident, 409 when it cannot be dispatched.</summary>
    [Alias("Assign")] Task<RescueTeam> Assign(string incidentId, Actor actor);
    /// <summary>Ends the team's assignment to the incident; idempotent.</summary>
    [Alias("Release")] Task<RescueTeam> Release(string incidentId, string reason, Actor actor);
    /// <summary>
    /// Moves the team's assignment from a merged incident to the one it was merged into, keeping its status and note (the crew
    /// is on the same scene); idempotent once moved, 409 when the team is not assigned to <paramref name="from"/>.
    /// </summary>
    [Alias("Transfer")] Task<RescueTeam> Transfer(string from, string to, Actor actor);
}
