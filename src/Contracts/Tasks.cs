namespace HuaduDispatch.Contracts;

[Alias("huadu.DispatchTaskStatus")]
public enum DispatchTaskStatus { Issued, Acknowledged, InProgress, Done, Failed, Cancelled }

/// <summary>Who issued a task: the district command centre or the incident's field command post (现场指挥部).</summary>
[Alias("huadu.TaskIssuer")]
public enum TaskIssuer { DistrictCentre, CommandPost }

/// <summary>A task given to a rescue team for an incident.</summary>
[GenerateSerializer, Immutable, Alias("huadu.DispatchTask")]
public sealed record DispatchTask
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string IncidentId { get; init; }
    [Id(2)] public required string TeamId { get; init; }
    [Id(3)] public required string Title { get; init; }
    [Id(4)] public string? Description { get; init; }
    [Id(5)] public required TaskIssuer IssuedBy { get; init; }
    [Id(6)] public required string IssuedByActor { get; init; }
    [Id(7)] public required DispatchTaskStatus Status { get; init; }
    [Id(8)] public required DateTimeOffset IssuedAt { get; init; }
    [Id(9)] public required DateTimeOffset DueAt { get; init; }
    [Id(10)] public DateTimeOffset? AcknowledgedAt { get; init; }
    [Id(11)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(12)] public string? Note { get; init; }
    /// <summary>Alerts raised for this task: "Unacknowledged", "Overdue".</summary>
    [Id(13)] public IReadOnlyList<string> Alerts { get; init; } = [];
    [Id(14)] public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>When the team reported the task InProgress (its time, kept in order with the task's other times).</summary>
    [Id(15)] public DateTimeOffset? StartedAt { get; init; }
    /// <summary>
    /// For a task carried over with its team from an incident merged into this one: that incident's id and the task's id there
    /// (<c>INC-.../task-1</c>). An update sent to the old task goes to this one.
    /// </summary>
    [Id(16)] public string? CarriedFrom { get; init; }
}

/// <summary>Body of POST /api/v1/incidents/{id}/tasks.</summary>
[GenerateSerializer, Immutable, Alias("huadu.IssueTaskRequest")]
public sealed record IssueTaskRequest
{
    [Id(0)] public string? TeamId { get; init; }
    [Id(1)] public string? Title { get; init; }
    [Id(2)] public string? Description { get; init; }
    [Id(3)] public DateTimeOffset? DueAt { get; init; }
    [Id(4)] public TaskIssuer? IssuedBy { get; init; }
}

/// <summary>Body of POST /api/v1/incidents/{id}/tasks/{taskId}/status.</summary>
[GenerateSerializer, Immutable, Alias("huadu.TaskUpdateRequest")]
public sealed record TaskUpdateRequest
{
    [Id(0)] public DispatchTaskStatus? Status { get; init; }
    [Id(1)] public string? Note { get; init; }
    [Id(2)] public DateTimeOffset? OccurredAt { get; init; }
}

[Alias("huadu.SitRepKind")]
public enum SitRepKind { Initial, Update, Final }

/// <summary>A numbered situation report of a field command post.</summary>
[GenerateSerializer, Immutable, Alias("huadu.SitRep")]
public sealed record SitRep
{
    [Id(0)] public required int Number { get; init; }
    [Id(1)] public required SitRepKind Kind { get; init; }
    [Id(2)] public required string Text { get; init; }
    [Id(3)] public required DateTimeOffset At { get; init; }
    [Id(4)] public required string Actor { get; init; }
    /// <summary>
    /// For a report carried over from the command post of an incident merged into this one: that incident's id and the report's
    /// number there (<c>INC-…#2</c>); null for the post's own reports.
    /// </summary>
    [Id(5)] public string? CarriedFrom { get; init; }
}

/// <summary>A field command post (现场指挥部) of an incident.</summary>
[GenerateSerializer, Immutable, Alias("huadu.CommandPost")]
public sealed record CommandPost
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required string Commander { get; init; }
    [Id(2)] public required GeoPoint Position { get; init; }
    [Id(3)] public required DateTimeOffset SetUpAt { get; init; }
    [Id(4)] public required bool Automatic { get; init; }
    [Id(5)] public required IReadOnlyList<SitRep> SitReps { get; init; }
    [Id(6)] public IReadOnlyList<string> Teams { get; init; } = [];
    [Id(7)] public IReadOnlyList<DispatchTask> Tasks { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("huadu.CommandPostRequest")]
public sealed record CommandPostRequest
{
    [Id(0)] public string? Commander { get; init; }
    [Id(1)] public GeoPoint? Position { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.SitRepRequest")]
public sealed record SitRepRequest
{
    [Id(0)] public SitRepKind? Kind { get; init; }
    [Id(1)] public string? Text { get; init; }
}
