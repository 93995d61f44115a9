namespace HuaduDispatch.Contracts;

/// <summary>What happened to an incident, as partner agencies subscribe to it (webhook event types).</summary>
[Alias("huadu.IncidentEventKind")]
public enum IncidentEventKind
{
    IncidentCreated,
    LevelChanged,
    StatusChanged,
    TeamsDispatched,
    ReliefAtRisk,
    ReliefBreached,
    IncidentClosed,
    /// <summary>The relief demand's whole kit arrived by the deadline (also when a late report corrects a breach).</summary>
    ReliefMet,
    /// <summary>Another incident was merged into this one: its figures were added here (the summary says which), and its case goes on here.</summary>
    IncidentMergedIn,
}

/// <summary>
/// One event of one incident, recorded durably in the incident's own state (an outbox) in the same write as the change, then
/// handed to the <see cref="IIncidentEventSink"/>. Sequence numbers per incident start at 1 and increase by exactly 1; the event
/// id is "{incidentId}/{sequence}", so a hand-off repeated after a crash carries the same id and can be deduplicated.
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.IncidentEvent")]
public sealed record IncidentEvent
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required string IncidentId { get; init; }
    [Id(2)] public required long Sequence { get; init; }
    [Id(3)] public required IncidentEventKind Kind { get; init; }
    [Id(4)] public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>A short human-readable account ("III -> II: ...", "Responding -> Contained: ...", "D01, T05 dispatched").</summary>
    [Id(5)] public required string Summary { get; init; }
    /// <summary>Agency ids that may see the incident: its source and the agencies it is shared with.</summary>
    [Id(6)] public required IReadOnlyList<string> Recipients { get; init; }
    /// <summary>The incident as it is after the change.</summary>
    [Id(7)] public required Incident Incident { get; init; }
}

/// <summary>
/// Receives incident events from incident grains. Returns only once the events are durably queued for every subscribed
/// recipient (or there is none); the incident then drops them from its outbox. The same event may arrive more than once.
/// </summary>
[Alias("huadu.IIncidentEventSink")]
public interface IIncidentEventSink : IGrainWithIntegerKey
{
    [Alias("Accept")] Task Accept(IReadOnlyList<IncidentEvent> events);
}
