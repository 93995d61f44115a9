namespace HuaduDispatch.Contracts;

[GenerateSerializer, Immutable, Alias("huadu.IncidentLocation")]
public sealed record IncidentLocation
{
    [Id(0)] public required double Lat { get; init; }
    [Id(1)] public required double Lon { get; init; }
    [Id(2)] public string? AreaId { get; init; }
    [Id(3)] public string? Address { get; init; }
}

/// <summary>Body of POST /api/v1/incidents.</summary>
[GenerateSerializer, Immutable, Alias("huadu.CreateIncident")]
public sealed record CreateIncident
{
    [Id(0)] public IncidentType? Type { get; init; }
    [Id(1)] public string? Title { get; init; }
    [Id(2)] public string? Description { get; init; }
    [Id(3)] public IncidentLocation? Location { get; init; }
    [Id(4)] public DateTimeOffset? OccurredAt { get; init; }
    [Id(5)] public string? Source { get; init; }
    [Id(6)] public string? ExternalId { get; init; }
    /// <summary>
    /// The report's figures. In a new incident a figure left out is 0. In a resubmission of the same externalId (an incident
    /// already bound to it) the figures given are applied as in POST /assessments, and a figure left out keeps its value.
    /// (Typed as figures that may be absent since the twenty-third session; before, it was a whole <see cref="Contracts.Assessment"/> and a
    /// resubmission dropped its figures.)
    /// </summary>
    [Id(7)] public AssessmentUpdate? Assessment { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.IncidentTeam")]
public sealed record IncidentTeam
{
    [Id(0)] public required string TeamId { get; init; }
    [Id(1)] public required DateTimeOffset AssignedAt { get; init; }
    [Id(2)] public DateTimeOffset? ReleasedAt { get; init; }
    [Id(3)] public string? ReleaseReason { get; init; }
    /// <summary>
    /// The incident the team came over from with a merge (it keeps the <see cref="AssignedAt"/> it had there); null for a team
    /// dispatched here.
    /// </summary>
    [Id(4)] public string? CarriedFrom { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.LevelProposal")]
public sealed record LevelProposal
{
    [Id(0)] public required ResponseLevel Level { get; init; }
    [Id(1)] public required string Reason { get; init; }
    [Id(2)] public required DateTimeOffset ProposedAt { get; init; }
}

/// <summary>An incident as the API shows it.</summary>
[GenerateSerializer, Immutable, Alias("huadu.Incident")]
public sealed record Incident
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required IncidentCategory Category { get; init; }
    [Id(2)] public required IncidentType Type { get; init; }
    [Id(3)] public required IncidentStatus Status { get; init; }
    [Id(4)] public required string Title { get; init; }
    [Id(5)] public required string Description { get; init; }
    [Id(6)] public required IncidentLocation Location { get; init; }
    [Id(7)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(8)] public required DateTimeOffset ReportedAt { get; init; }
    [Id(9)] public required string Source { get; init; }
    [Id(10)] public string? ExternalId { get; init; }
    [Id(11)] public required Assessment Assessment { get; init; }
    [Id(12)] public required ResponseLevel ResponseLevel { get; init; }
    [Id(13)] public required string LevelReason { get; init; }
    [Id(14)] public required LeadingTier LeadingTier { get; init; }
    [Id(15)] public required DateTimeOffset ReportDeadline { get; init; }
    [Id(16)] public LevelProposal? ProposedLevel { get; init; }
    [Id(17)] public required IReadOnlyList<ModuleRequirement> RequiredModules { get; init; }
    [Id(18)] public required IReadOnlyList<IncidentTeam> Teams { get; init; }
    [Id(19)] public required bool CommandPost { get; init; }
    [Id(20)] public string? MergedInto { get; init; }
    [Id(21)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(22)] public required int Version { get; init; }
    /// <summary>Partner agencies this incident is shared with (besides the reporting agency in <see cref="Source"/>).</summary>
    [Id(23)] public IReadOnlyList<string> SharedWith { get; init; } = [];
    /// <summary>
    /// The report upward (向上级报告): the one owed (due by <see cref="ReportDeadline"/>) or, when none is owed, the last one, and
    /// the last report recorded as made (POST /incidents/{id}/upward-reports). Null only in incidents built by hand (tests).
    /// </summary>
    [Id(24)] public UpwardReportStatus? ReportUpward { get; init; }
    /// <summary>
    /// Who set the level by hand (the subject of the commander's token; <see cref="LevelReason"/> says "set by" them), or whose
    /// hand-set level a merge carried here; null when the figures graded it. Not shown to partners.
    /// </summary>
    [Id(25)] public string? LevelSetBy { get; init; }
    /// <summary>
    /// The incidents merged into this one whose case it took in (its figures, level, post, relief and teams), in the order they
    /// were merged; the counterpart of a merged incident's <see cref="MergedInto"/>. Empty when none was.
    /// </summary>
    [Id(26)] public IReadOnlyList<string> MergedFrom { get; init; } = [];

    /// <summary>
    /// The incident as a partner agency reads it (its answers, webhook payloads, EIDO export and hub messages; see
    /// <see cref="PartnerView"/>): without the report upward, the district's duty to its superiors and not news of the partner's
    /// case, and without the name of the commander who set the level ("set by the district command centre").
    /// </summary>
    public Incident ForPartner() => this with
    {
        ReportUpward = null,
        LevelSetBy = null,
        LevelReason = LevelSetBy is { Length: > 0 } by ? LevelReason.Replace($"set by {by}: ", $"set by {PartnerView.Centre}: ", StringComparison.Ordinal) : LevelReason,
    };
}

/// <summary>A report upward recorded as made: when, by whom, to which tier, and its reference (a document number).</summary>
[GenerateSerializer, Immutable, Alias("huadu.UpwardReportMade")]
public sealed record UpwardReportMade
{
    [Id(0)] public required DateTimeOffset At { get; init; }
    [Id(1)] public required string By { get; init; }
    [Id(2)] public required LeadingTier To { get; init; }
    [Id(3)] public string? Reference { get; init; }
}

/// <summary>Where an incident stands with its report upward (<see cref="Incident.ReportUpward"/>).</summary>
[GenerateSerializer, Immutable, Alias("huadu.UpwardReportStatus")]
public sealed record UpwardReportStatus
{
    /// <summary>A report is owed: not recorded as made since the incident was graded or escalated (a closed incident owes none).</summary>
    [Id(0)] public required bool Owed { get; init; }
    /// <summary>When the owed report is due (the last one's due time when none is owed); equal to <see cref="Incident.ReportDeadline"/>.</summary>
    [Id(1)] public required DateTimeOffset DueBy { get; init; }
    /// <summary>The tier the report goes to: the most senior tier that led while it was owed.</summary>
    [Id(2)] public required LeadingTier Tier { get; init; }
    /// <summary>The owed report's due time passed without a report recorded (a ReportOverdue entry was written).</summary>
    [Id(3)] public required bool Overdue { get; init; }
    /// <summary>The last report recorded as made: when, by whom, to which tier, and its reference (a document number).</summary>
    [Id(4)] public DateTimeOffset? ReportedAt { get; init; }
    [Id(5)] public string? ReportedBy { get; init; }
    [Id(6)] public LeadingTier? ReportedTo { get; init; }
    [Id(7)] public string? Reference { get; init; }
}

/// <summary>Body of POST /api/v1/incidents/{id}/upward-reports: a report upward was made.</summary>
[GenerateSerializer, Immutable, Alias("huadu.UpwardReportRequest")]
public sealed record UpwardReportRequest
{
    /// <summary>The longest reference (a document number) a report takes.</summary>
    public const int MaxReferenceLength = 200;

    /// <summary>The tier reported to; the tier leading now when left out.</summary>
    [Id(0)] public LeadingTier? To { get; init; }
    /// <summary>The report's reference, e.g. its document number.</summary>
    [Id(1)] public string? Reference { get; init; }
    [Id(2)] public string? Note { get; init; }
}

/// <summary>What the per-area boards keep of an incident, for lists and filters.</summary>
[GenerateSerializer, Immutable, Alias("huadu.IncidentSummary")]
public sealed record IncidentSummary
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required IncidentType Type { get; init; }
    [Id(2)] public required IncidentCategory Category { get; init; }
    [Id(3)] public required IncidentStatus Status { get; init; }
    [Id(4)] public required ResponseLevel ResponseLevel { get; init; }
    [Id(5)] public required string Title { get; init; }
    [Id(6)] public required string AreaId { get; init; }
    [Id(7)] public required double Lat { get; init; }
    [Id(8)] public required double Lon { get; init; }
    [Id(9)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(10)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(11)] public required int AssignedTeams { get; init; }
    [Id(12)] public required int Version { get; init; }
    [Id(13)] public string Source { get; init; } = "";
    [Id(14)] public IReadOnlyList<string> SharedWith { get; init; } = [];
    /// <summary>For a merged incident, the incident it was merged into (a duplicate of that one); null otherwise.</summary>
    [Id(15)] public string? MergedInto { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.IncidentFilter")]
public sealed record IncidentFilter
{
    [Id(0)] public IncidentStatus? Status { get; init; }
    [Id(1)] public ResponseLevel? Level { get; init; }
    [Id(2)] public IncidentType? Type { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.TransitionRequest")]
public sealed record TransitionRequest
{
    [Id(0)] public IncidentStatus? To { get; init; }
    [Id(1)] public string? Reason { get; init; }
    /// <summary>For To = Merged: the incident this one is merged into.</summary>
    [Id(2)] public string? MergedInto { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.ResponseLevelRequest")]
public sealed record ResponseLevelRequest
{
    [Id(0)] public ResponseLevel? Level { get; init; }
    [Id(1)] public string? Reason { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.DispatchRequest")]
public sealed record DispatchRequest
{
    [Id(0)] public IReadOnlyList<string>? TeamIds { get; init; }
    [Id(1)] public string? Note { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.ShareRequest")]
public sealed record ShareRequest
{
    /// <summary>Agency ids to share the incident with.</summary>
    [Id(0)] public IReadOnlyList<string>? AgencyIds { get; init; }
    [Id(1)] public string? Reason { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.ReleaseRequest")]
public sealed record ReleaseRequest
{
    [Id(0)] public string? Reason { get; init; }
}

/// <summary>Body of POST /api/v1/teams/{id}/status.</summary>
[GenerateSerializer, Immutable, Alias("huadu.TeamStatusReport")]
public sealed record TeamStatusReport
{
    [Id(0)] public TeamStatus? Status { get; init; }
    [Id(1)] public GeoPoint? Position { get; init; }
    [Id(2)] public DateTimeOffset? OccurredAt { get; init; }
    [Id(3)] public string? Note { get; init; }
}

/// <summary>Body of POST /api/v1/teams/{id}/position.</summary>
[GenerateSerializer, Immutable, Alias("huadu.TeamPositionReport")]
public sealed record TeamPositionReport
{
    [Id(0)] public double? Lat { get; init; }
    [Id(1)] public double? Lon { get; init; }
    [Id(2)] public DateTimeOffset? At { get; init; }
}

/// <summary>One entry of an incident's append-only timeline.</summary>
[GenerateSerializer, Immutable, Alias("huadu.TimelineEntry")]
public sealed record TimelineEntry
{
    [Id(0)] public required long Seq { get; init; }
    /// <summary>Server time the change was recorded.</summary>
    [Id(1)] public required DateTimeOffset At { get; init; }
    /// <summary>When the reporter says it happened, if different (late radio reports, paper logs).</summary>
    [Id(2)] public DateTimeOffset? ReportedAt { get; init; }
    [Id(3)] public required string Actor { get; init; }
    [Id(4)] public required string Kind { get; init; }
    [Id(5)] public required string Summary { get; init; }
    [Id(6)] public string? TeamId { get; init; }
    [Id(7)] public string? TaskId { get; init; }
}
