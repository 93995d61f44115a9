using Orleans.Concurrency;

namespace HuaduDispatch.Contracts;

/// <summary>
/// One change pushed to consoles: the entity's new state itself, never just an id. Sequence numbers are per scope and
/// increase by exactly 1; a client that sees a gap calls Resync.
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.Delta")]
public sealed record Delta
{
    [Id(0)] public required string Scope { get; init; }
    [Id(1)] public required long Seq { get; init; }
    /// <summary>incident, team, task, warehouse, shipment, shelter, commandPost, relief, reliefPlan.</summary>
    [Id(2)] public required string Kind { get; init; }
    [Id(3)] public required string Id { get; init; }
    /// <summary>The entity's new state (an Incident, RescueTeam, DispatchTask, CommandPost, ...). A .NET client reads it as a JsonElement.</summary>
    [Id(4)] public required object? Data { get; init; }
}

/// <summary>A change before it is sequenced in a scope.</summary>
[GenerateSerializer, Immutable, Alias("huadu.EntityChange")]
public sealed record EntityChange
{
    [Id(0)] public required string Kind { get; init; }
    [Id(1)] public required string Id { get; init; }
    [Id(2)] public required object? Data { get; init; }
}

/// <summary>Everything in a scope now, with the scope's current sequence number.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ScopeSnapshot")]
public sealed record ScopeSnapshot
{
    [Id(0)] public required string Scope { get; init; }
    [Id(1)] public required long Seq { get; init; }
    [Id(2)] public required IReadOnlyList<EntityChange> Entities { get; init; }
}

/// <summary>The answer to Resync: the missed deltas in order, or (when they are no longer kept) a fresh snapshot.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ResyncResult")]
public sealed record ResyncResult
{
    [Id(0)] public required string Scope { get; init; }
    [Id(1)] public required IReadOnlyList<Delta> Deltas { get; init; }
    [Id(2)] public ScopeSnapshot? Snapshot { get; init; }
}

public static class DeltaKinds
{
    public const string Incident = "incident";
    public const string Team = "team";
    public const string Task = "task";
    /// <summary>
    /// The delta id of a task: <c>{incidentId}/{taskId}</c>. Task ids count per incident (<c>task-1</c> in each), so the task id
    /// alone does not tell two tasks apart in the district, area or team scopes; the task's data keeps its own id.
    /// </summary>
    public static string TaskId(string incidentId, string taskId) => $"{incidentId}/{taskId}";

    /// <summary>
    /// The task id within its incident from either form a client may hold: the task's own id (<c>task-1</c>), or a task delta's
    /// id (<c>{incidentId}/task-1</c>) of the same incident. The field hub's task methods take both.
    /// </summary>
    public static string LocalTaskId(string incidentId, string taskId) =>
        taskId is not null && incidentId is not null && taskId.Length > incidentId.Length + 1 && taskId[incidentId.Length] == '/'
            && taskId.StartsWith(incidentId, StringComparison.Ordinal) ? taskId[(incidentId.Length + 1)..] : taskId!;
    public const string Warehouse = "warehouse";
    public const string CommandPost = "commandPost";
    public const string Shelter = "shelter";
    public const string Relief = "relief";
    public const string Shipment = "shipment";
    /// <summary>The district relief plan in brief (<see cref="ReliefPlanSummary"/>), on the district scope only.</summary>
    public const string ReliefPlan = "reliefPlan";
    /// <summary>
    /// The scope's sequencer started again and may not have had changes the old one took with it (its node died): data is a
    /// <see cref="ScopeRestart"/>, id the scope. A client that was following the scope sees a gap here and resyncs; one that
    /// gets it in sequence has nothing to apply.
    /// </summary>
    public const string Scope = "scope";
}

/// <summary>The data of a <see cref="DeltaKinds.Scope"/> delta.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ScopeRestart")]
public sealed record ScopeRestart
{
    [Id(0)] public required string Scope { get; init; }
    /// <summary>When this activation of the scope's sequencer started.</summary>
    [Id(1)] public required DateTimeOffset StartedAt { get; init; }
}

/// <summary>Scope names: district, area:{areaId}, incident:{incidentId}; team:{teamId} for the field hub.</summary>
public static class Scopes
{
    public const string District = "district";
    public static string Area(string areaId) => "area:" + areaId;
    public static string Incident(string incidentId) => "incident:" + incidentId;
    public static string Team(string teamId) => "team:" + teamId;

    /// <summary>Splits a console scope; false for anything else (team scopes belong to the field hub).</summary>
    public static bool TryParseConsoleScope(string? scope, out string kind, out string? id)
    {
        kind = "";
        id = null;
        if (scope == District) { kind = District; return true; }
        if (scope is null) return false;
        var colon = scope.IndexOf(':');
        if (colon <= 0 || colon == scope.Length - 1 || scope.Length > 100) return false;
        kind = scope[..colon];
        id = scope[(colon + 1)..];
        return kind is "area" or "incident" && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
    }
}

/// <summary>The sequencer and resync buffer of one scope (keyed by the scope name).</summary>
[Alias("huadu.IScopeGrain")]
public interface IScopeGrain : IGrainWithStringKey
{
    /// <summary>Sequences changes; runs between the awaits of a snapshot being built, so a subscribing console holds nothing up.</summary>
    [Alias("Publish"), OneWay, AlwaysInterleave] Task Publish(IReadOnlyList<EntityChange> changes);
    /// <param name="subscriberRelay">The relay of the silo the subscribing connection is on: the scope sends to it from now on,
    /// even before the relay registry lists it (e.g. while the registry's activation is being recreated).</param>
    [Alias("Snapshot")] Task<ScopeSnapshot> Snapshot(IDeltaRelay? subscriberRelay);
    [Alias("Resync")] Task<ResyncResult> Resync(long afterSeq, IDeltaRelay? subscriberRelay);
    /// <summary>
    /// A relay whose consoles follow this scope and last had <paramref name="knownSeq"/> asks, after a node of the cluster died,
    /// whether they missed anything. The scope sends it what it flushed since, or, when it cannot (it is a new activation: the old
    /// one died with its node, and with it any change published to it that was not yet sent), it sends every relay a
    /// <see cref="DeltaKinds.Scope"/> delta, once per activation, so that every console resyncs.
    /// </summary>
    [Alias("Check")] Task Check(long knownSeq, IDeltaRelay relay);
}

/// <summary>A silo's relay to its SignalR connections (a grain observer wrapping the hub context).</summary>
[Alias("huadu.IDeltaRelay")]
public interface IDeltaRelay : IGrainObserver
{
    [Alias("OnDeltas"), OneWay] Task OnDeltas(string scope, IReadOnlyList<Delta> deltas);
}

/// <summary>Where each silo registers its relay (key 0). Dead silos are dropped using cluster membership.</summary>
[Alias("huadu.IRelayRegistryGrain")]
public interface IRelayRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Register")] Task Register(string silo, IDeltaRelay relay);
    [Alias("Unregister")] Task Unregister(string silo);
    [Alias("GetRelayList")] Task<RelayList> GetRelayList();
    /// <summary>
    /// Records the fingerprint of the token signing key this silo uses and answers the other live silos whose key differs
    /// ("silo (fingerprint)"): a token issued with one key is refused by a node with another, so a client behind a load
    /// balancer gets 401s at random. The list is kept as the relays' is (in memory, dropped with dead silos).
    /// </summary>
    [Alias("CompareSigningKey")] Task<IReadOnlyList<string>> CompareSigningKey(string silo, string fingerprint);
}

/// <summary>
/// The registered relays, and whether every active silo of the cluster has one among them. A registry activation that was just
/// recreated lists only the silos that registered since; a scope then checks again until the list is complete.
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.RelayList")]
public sealed record RelayList
{
    [Id(0)] public required IReadOnlyList<IDeltaRelay> Relays { get; init; }
    [Id(1)] public required bool Complete { get; init; }
}

/// <summary>Messages the server sends to hub clients.</summary>
public interface IDispatchHubClient
{
    /// <summary>One or more deltas, in sequence order per scope.</summary>
    Task Delta(IReadOnlyList<Delta> deltas);
}

/// <summary>Console hub /hubs/dispatch.</summary>
public interface IDispatchHub
{
    Task<ScopeSnapshot> Subscribe(string scope);
    Task Unsubscribe(string scope);
    Task<ResyncResult> Resync(string scope, long afterSeq);
}

/// <summary>Team hub /hubs/field: a team token binds the connection to its team (scope team:{teamId}).</summary>
public interface IFieldHub
{
    Task<ScopeSnapshot> Subscribe();
    Task<ResyncResult> Resync(long afterSeq);
    Task<RescueTeam> ReportStatus(TeamStatusReport report);
    Task<RescueTeam> ReportPosition(TeamPositionReport report);
    Task<DispatchTask> AcknowledgeTask(string incidentId, string taskId);
    Task<DispatchTask> UpdateTask(string incidentId, string taskId, TaskUpdateRequest update);
}
