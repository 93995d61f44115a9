using Orleans.Concurrency;

namespace HuaduDispatch.Contracts;

/// <summary>One incident (突发事件), keyed by its id.</summary>
[Alias("huadu.IIncidentGrain")]
public interface IIncidentGrain : IGrainWithStringKey
{
    [Alias("Create")] Task<Incident> Create(CreateIncident request, Actor actor);
    [Alias("Get"), ReadOnly] Task<Incident?> Get();
    /// <summary>New figures: those the update leaves out keep their values.</summary>
    [Alias("Assess")] Task<Incident> Assess(AssessmentUpdate update, Actor actor);
    [Alias("SetLevel")] Task<Incident> SetLevel(ResponseLevelRequest request, Actor actor);
    /// <summary>Records that the report upward was made (another entry each time: reports are often repeated); nothing is owed after it.</summary>
    [Alias("ReportUpward")] Task<Incident> ReportUpward(UpwardReportRequest request, Actor actor);
    [Alias("Transition")] Task<Incident> Transition(TransitionRequest request, Actor actor);
    [Alias("Dispatch")] Task<Incident> Dispatch(DispatchRequest request, Actor actor);
    [Alias("ReleaseTeam")] Task<Incident> ReleaseTeam(string teamId, ReleaseRequest request, Actor actor);
    /// <summary>
    /// Takes a team working an incident merged into this one (<paramref name="from"/>), with its open tasks there, as they
    /// stand: the team keeps its status, the tasks their status and times. Idempotent; 409 when this incident takes no teams
    /// (closed, or merged in turn: the message names the incident that takes reports).
    /// </summary>
    [Alias("CarryTeam")] Task<Incident> CarryTeam(string teamId, string from, IReadOnlyList<DispatchTask> tasks, Actor actor);
    /// <summary>
    /// Takes a team of an incident merged into this one, keeping the time it was assigned there (<paramref name="assignedAt"/>).
    /// The call above, without it, is kept for nodes from before (a rolling upgrade); it takes the time of the call.
    /// </summary>
    [Alias("CarryTeamAssigned")] Task<Incident> CarryTeam(string teamId, string from, DateTimeOffset assignedAt, IReadOnlyList<DispatchTask> tasks, Actor actor);
    /// <summary>An update sent to a task of a merged incident, for the task it was carried over to here (<see cref="DispatchTask.CarriedFrom"/>).</summary>
    [Alias("UpdateCarriedTask")] Task<DispatchTask> UpdateCarriedTask(string carriedFrom, TaskUpdateRequest request, Actor actor);
    /// <summary>
    /// Takes in the case of an incident merged into this one (<paramref name="from"/>): its relief is handed over here, its
    /// figures are added to this incident's, the more severe level stands, and its field command post with its situation
    /// reports goes on here. Idempotent per <paramref name="from"/>; 409 when this incident is closed (or merged in turn: the
    /// message names the incident that takes reports).
    /// </summary>
    [Alias("Absorb")] Task<Incident> Absorb(string from, MergedCase mergedCase, Actor actor);
    [Alias("GetTasks"), ReadOnly] Task<IReadOnlyList<DispatchTask>> GetTasks();
    [Alias("IssueTask")] Task<DispatchTask> IssueTask(IssueTaskRequest request, Actor actor);
    [Alias("UpdateTask")] Task<DispatchTask> UpdateTask(string taskId, TaskUpdateRequest request, Actor actor);
    [Alias("GetNeed"), ReadOnly] Task<IncidentNeedSnapshot?> GetNeed();
    [Alias("SetUpCommandPost")] Task<CommandPost> SetUpCommandPost(CommandPostRequest request, Actor actor);
    /// <summary>Adds a situation report to the incident's field command post, and to the incident's timeline.</summary>
    [Alias("AddSitRep")] Task<SitRep> AddSitRep(SitRepRequest request, Actor actor);
    /// <summary>Checks tasks for missed acknowledgements and due times now (the reminder does this every minute).</summary>
    [Alias("CheckTasks")] Task<IReadOnlyList<DispatchTask>> CheckTasks();
    /// <summary>Shares the incident with partner agencies (they may then read it and receive its webhook events).</summary>
    [Alias("Share")] Task<Incident> Share(ShareRequest request, Actor actor);
    /// <summary>
    /// Whether <paramref name="sourceId"/> may be merged into this incident now. It interleaves with a change under way here, so
    /// two incidents merged into each other at the same moment do not wait on each other (each read the other with
    /// <see cref="Get"/>, which waited 30 s for the other's change, which waited for it).
    /// </summary>
    [Alias("MergeCheck"), AlwaysInterleave] Task<MergeTargetCheck> MergeCheck(string sourceId);
    /// <summary>
    /// This incident's id, or, when it was merged, the id of the incident that now takes its reports (following merges), having
    /// passed through <paramref name="passed"/> (never followed again: no cycle is walked).
    /// </summary>
    [Alias("Survivor"), AlwaysInterleave] Task<string> Survivor(IReadOnlyList<string> passed);
    /// <summary>The relief demand says its deadline is at risk or breached; recorded as an incident event (one-way: no call cycle).</summary>
    [Alias("NoteRelief"), OneWay] Task NoteRelief(ReliefStatus status, string summary);
}

/// <summary>What a merged incident was when it was merged, for the surviving incident to take in (<see cref="IIncidentGrain.Absorb"/>).</summary>
[GenerateSerializer, Immutable, Alias("huadu.MergedCase")]
public sealed record MergedCase
{
    [Id(0)] public required Assessment Assessment { get; init; }
    [Id(1)] public required ResponseLevel Level { get; init; }
    [Id(2)] public required string LevelReason { get; init; }
    /// <summary>Whether it had a field command post (whose reports go on at the survivor's).</summary>
    [Id(3)] public required bool CommandPost { get; init; }
    /// <summary>Whether it had a relief demand (handed over to the survivor's).</summary>
    [Id(4)] public required bool HadRelief { get; init; }
    /// <summary>The report upward it owed when merged (due time and tier), if any.</summary>
    [Id(5)] public DateTimeOffset? ReportOwedBy { get; init; }
    [Id(6)] public LeadingTier? ReportOwedTo { get; init; }
    /// <summary>Its last report upward recorded as made, if any.</summary>
    [Id(7)] public UpwardReportMade? LastReport { get; init; }
    /// <summary>Who set its level by hand, when someone did (<see cref="Incident.LevelSetBy"/>).</summary>
    [Id(8)] public string? LevelSetBy { get; init; }
}

/// <summary>What an incident answers when another is to be merged into it (<see cref="IIncidentGrain.MergeCheck"/>).</summary>
[GenerateSerializer, Immutable, Alias("huadu.MergeTargetCheck")]
public sealed record MergeTargetCheck
{
    [Id(0)] public required bool Exists { get; init; }
    /// <summary>Why it may not be merged into now (a 409), or null.</summary>
    [Id(1)] public string? Refused { get; init; }
}

/// <summary>The append-only timeline of one incident (keyed by the incident id).</summary>
[Alias("huadu.IIncidentTimelineGrain")]
public interface IIncidentTimelineGrain : IGrainWithStringKey
{
    [Alias("Append")] Task Append(IReadOnlyList<TimelineEntry> entries);
    [Alias("Get"), ReadOnly] Task<IReadOnlyList<TimelineEntry>> Get();
}

/// <summary>Summaries of the incidents of one area (keyed by area id), so lists never activate every incident.</summary>
[Alias("huadu.IAreaBoardGrain")]
public interface IAreaBoardGrain : IGrainWithStringKey
{
    [Alias("Upsert")] Task Upsert(IncidentSummary summary);
    [Alias("Query"), ReadOnly] Task<IReadOnlyList<IncidentSummary>> Query(IncidentFilter filter);
}

/// <summary>The field command post (现场指挥部) of one incident (keyed by the incident id).</summary>
[Alias("huadu.IFieldCommandPostGrain")]
public interface IFieldCommandPostGrain : IGrainWithStringKey
{
    [Alias("SetUp")] Task<CommandPost> SetUp(string commander, GeoPoint position, bool automatic, Actor actor);
    [Alias("Get"), ReadOnly] Task<CommandPost?> Get();
    /// <summary>
    /// Adds a situation report. <paramref name="incidentOver"/>: the incident is closed or cancelled, where a Final report may
    /// be the post's first (the closing report of a post that had none).
    /// </summary>
    [Alias("AddSitRep")] Task<SitRep> AddSitRep(SitRepRequest request, Actor actor, bool incidentOver);
    /// <summary>
    /// The incident's teams (not released) and the tasks the post issued, as of incident version <paramref name="version"/>: the
    /// incident owns them and sends them when they change, so that the post's pushes and snapshots carry them as the REST API
    /// does. An older version than the one held is ignored.
    /// </summary>
    [Alias("Roster"), OneWay] Task Roster(long version, IReadOnlyList<string> teams, IReadOnlyList<DispatchTask> tasks);
    /// <summary>
    /// Takes over the post of an incident merged into this one: its situation reports are added here (numbered on, each with
    /// <see cref="SitRep.CarriedFrom"/>); a post not set up here is set up as that one was, and an automatic post here takes
    /// the commander and position of one set up on request there. Idempotent per <paramref name="from"/>.
    /// </summary>
    [Alias("Adopt")] Task<CommandPost> Adopt(string from, CommandPost post, Actor actor);
}

/// <summary>Solves team recommendations jointly for all open incidents (stateless; one per silo).</summary>
[Alias("huadu.IRecommendationGrain")]
public interface IRecommendationGrain : IGrainWithIntegerKey
{
    [Alias("Recommend")] Task<IncidentRecommendation> Recommend(string incidentId);
}

/// <summary>The response plans in force (one grain, key "huadu"); an admin may replace them.</summary>
[Alias("huadu.IResponsePlanGrain")]
public interface IResponsePlanGrain : IGrainWithStringKey
{
    [Alias("Get"), ReadOnly] Task<IReadOnlyList<ResponsePlanEntry>> Get();
    /// <summary>The plans in force with their version (0: the shipped set; each replacement adds one).</summary>
    [Alias("GetVersioned"), ReadOnly] Task<ResponsePlanSet> GetVersioned();
    /// <summary>
    /// Replaces the whole set (400 if it breaks a rule). With <paramref name="ifVersions"/> (an If-Match's versions), only if
    /// one of them is the version in force (412 otherwise; an empty list matches none): two admins editing what they read
    /// cannot silently undo each other's change.
    /// </summary>
    [Alias("ReplaceIfVersion")] Task<ResponsePlanSet> Replace(IReadOnlyList<ResponsePlanEntry> entries, Actor actor, IReadOnlyList<int>? ifVersions);
    [Alias("ModulesFor"), ReadOnly] Task<IReadOnlyList<ModuleRequirement>> ModulesFor(IncidentType type, ResponseLevel level);
}

/// <summary>
/// Keeps a reporter's external id unique: keyed "{source}|{externalId}", it remembers the incident id first claimed for it, so a
/// partner's resubmission of the same report finds the existing incident instead of creating a second one.
/// </summary>
[Alias("huadu.IExternalIdGrain")]
public interface IExternalIdGrain : IGrainWithStringKey
{
    /// <summary>Returns the incident id already bound to this external id, or binds and returns <paramref name="incidentId"/>.</summary>
    [Alias("Claim")] Task<string> Claim(string incidentId);
    [Alias("Get"), ReadOnly] Task<string?> Get();
}
