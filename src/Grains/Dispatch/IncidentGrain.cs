using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.AssignedTeamState")]
public sealed class AssignedTeamState
{
    [Id(0)] public required string TeamId { get; set; }
    [Id(1)] public DateTimeOffset AssignedAt { get; set; }
    [Id(2)] public DateTimeOffset? ReleasedAt { get; set; }
    [Id(3)] public string? ReleaseReason { get; set; }
    [Id(4)] public List<Capability> Capabilities { get; set; } = [];
    /// <summary>The incident the team came over from with a merge (<see cref="IncidentGrain.CarryTeam"/>); null when dispatched here.</summary>
    [Id(5)] public string? CarriedFrom { get; set; }
}

[GenerateSerializer, Alias("huadu.IncidentState")]
public sealed class IncidentState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public IncidentType Type { get; set; }
    [Id(2)] public IncidentStatus Status { get; set; }
    [Id(3)] public string Title { get; set; } = "";
    [Id(4)] public string Description { get; set; } = "";
    [Id(5)] public IncidentLocation? Location { get; set; }
    [Id(6)] public DateTimeOffset OccurredAt { get; set; }
    [Id(7)] public DateTimeOffset ReportedAt { get; set; }
    [Id(8)] public string Source { get; set; } = "";
    [Id(9)] public string? ExternalId { get; set; }
    [Id(10)] public Assessment Assessment { get; set; } = Assessment.None;
    [Id(11)] public ResponseLevel Level { get; set; } = ResponseLevel.IV;
    [Id(12)] public string LevelReason { get; set; } = "";
    [Id(13)] public DateTimeOffset ReportDeadline { get; set; }
    [Id(14)] public LevelProposal? ProposedLevel { get; set; }
    /// <summary>The level a commander declined to go down to: not proposed again until the figures grade another or the level changes.</summary>
    [Id(42)] public ResponseLevel? DeclinedLevel { get; set; }
    /// <summary>
    /// The grading of the figures a commander set the level in force against (a level less severe than they graded): figures
    /// grading no more severe than this do not raise the level again.
    /// </summary>
    [Id(43)] public ResponseLevel? HeldAgainst { get; set; }
    [Id(15)] public List<ModuleRequirement> RequiredModules { get; set; } = [];
    [Id(16)] public List<AssignedTeamState> Teams { get; set; } = [];
    [Id(17)] public List<DispatchTask> Tasks { get; set; } = [];
    [Id(18)] public bool CommandPost { get; set; }
    [Id(19)] public string? MergedInto { get; set; }
    [Id(20)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(21)] public int Version { get; set; }
    [Id(22)] public int TaskSeq { get; set; }
    /// <summary>Once an incident has had a relief demand, later changes (closing, figures back to 0) still reach it.</summary>
    [Id(23)] public bool HadRelief { get; set; }
    [Id(24)] public List<string> SharedWith { get; set; } = [];
    /// <summary>The last incident event sequence number given out.</summary>
    [Id(25)] public long EventSeq { get; set; }
    /// <summary>Events written with the change and not yet handed to the event sink (a transactional outbox).</summary>
    [Id(26)] public List<IncidentEvent> Outbox { get; set; } = [];
    /// <summary>The last number given to one of this incident's timeline entries (the timeline drops a number it has).</summary>
    [Id(27)] public long TimelineSeq { get; set; }
    /// <summary>Timeline entries written with the change and not yet known to be appended to the timeline (an outbox).</summary>
    [Id(28)] public List<TimelineEntry> TimelineOutbox { get; set; } = [];
    /// <summary>The relief statuses (AtRisk, Breached) already recorded as partner events.</summary>
    [Id(29)] public List<ReliefStatus> ReliefNoted { get; set; } = [];
    /// <summary>
    /// The "Merged in" entry for the surviving incident's timeline, written with the merge and cleared once appended there (a
    /// failed append is tried again at the next activation).
    /// </summary>
    [Id(30)] public TimelineEntry? MergeNote { get; set; }
    /// <summary>
    /// The agencies that saw this incident (its source agency and its shares), to share the surviving incident with: written
    /// with the merge and cleared once the survivor has them (a failed share is tried again at the next activation).
    /// </summary>
    [Id(31)] public List<string>? MergeShare { get; set; }
    /// <summary>
    /// The teams working this incident when it was merged, to carry over to the surviving incident: written with the merge and
    /// cleared once the survivor has taken them (tried again at the next activation, and by the merge-teams reminder, should
    /// the call fail).
    /// </summary>
    [Id(33)] public List<string>? MergeTeams { get; set; }
    /// <summary>The open tasks of <see cref="MergeTeams"/> as they stood before the merge, carried over with their teams.</summary>
    [Id(34)] public List<DispatchTask>? MergeTasks { get; set; }
    /// <summary>The ids of the tasks carried over with their teams at the merge: an update sent to one goes to the survivor's.</summary>
    [Id(35)] public List<string> CarriedTasks { get; set; } = [];
    /// <summary>
    /// The last version the area board is known to hold (stored with the next change, so it may lag by one): an activation that
    /// finds it behind <see cref="Version"/> sends the board the summary again (<see cref="IncidentBoardResend"/>).
    /// </summary>
    [Id(32)] public int BoardVersion { get; set; }
    /// <summary>
    /// The team assignments and releases under way, stored before the teams are called and cleared with the change's write; a
    /// change cut short leaves them here, and they are finished or undone (<see cref="IncidentGrain.RepairTeamChanges"/>).
    /// </summary>
    [Id(40)] public List<TeamChange> TeamChanges { get; set; } = [];
    /// <summary>
    /// A close or cancellation whose team releases began (stored with them): should the change be cut short, the repair that
    /// finishes the releases finishes the status change too (<see cref="IncidentGrain.RepairTeamChanges"/>).
    /// </summary>
    [Id(41)] public FinalTransition? PendingFinal { get; set; }
    /// <summary>
    /// What this incident was when merged (figures, level, post, relief), for the survivor to take in: written with the merge
    /// and cleared once the survivor has it (tried again at the next activation and by the merge-teams reminder).
    /// </summary>
    [Id(44)] public MergedCase? MergeCase { get; set; }
    /// <summary>The incidents merged into this one whose case it took in (<see cref="IncidentGrain.Absorb"/>).</summary>
    [Id(45)] public List<string> Absorbed { get; set; } = [];
    /// <summary>No report upward is owed: the last was recorded as made and no escalation since (false, owed, in incidents stored before).</summary>
    [Id(50)] public bool ReportSettled { get; set; }
    /// <summary>The tier the owed (or last owed) report goes to; null in incidents stored before (the tier leading then).</summary>
    [Id(51)] public LeadingTier? ReportTier { get; set; }
    /// <summary>The due time a ReportOverdue was raised for (once per owed report).</summary>
    [Id(52)] public DateTimeOffset? ReportOverdueFor { get; set; }
    /// <summary>The due time the report-upward reminder is registered for (null: none, or removed).</summary>
    [Id(53)] public DateTimeOffset? ReportWatch { get; set; }
    /// <summary>The last report upward recorded as made.</summary>
    [Id(54)] public UpwardReportMade? LastReport { get; set; }
    /// <summary>Who set the level by hand (or whose hand-set level a merge carried here); null when the figures graded it.</summary>
    [Id(55)] public string? LevelSetBy { get; set; }
}

/// <summary>The final status a change was making, with its reason, while its teams were released.</summary>
[GenerateSerializer, Alias("huadu.FinalTransition")]
public sealed class FinalTransition
{
    [Id(0)] public IncidentStatus To { get; set; }
    [Id(1)] public string Reason { get; set; } = "";
    [Id(2)] public string Actor { get; set; } = "";
}

/// <summary>
/// One incident: grading, lifecycle, assigned teams and their tasks. Calls go one way only: incident -> team, incident ->
/// timeline, board and command post; none of those calls an incident, so there is no call cycle.
/// </summary>
public sealed partial class IncidentGrain(
    [PersistentState("incident", StorageNames.Dispatch)] IPersistentState<IncidentState> state,
    ResponseLevelPolicy levels,
    IOptions<DispatchOptions> options,
    TimeProvider clock,
    ILogger<IncidentGrain> logger) : Grain, IIncidentGrain, IRemindable
{
    /// <summary>Sources that are not partner agencies: events for them are not handed to the webhook sink.</summary>
    private IncidentEvents.Before _before;
    private const string TaskWatchReminder = "task-watch";
    private IncidentState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private DispatchOptions Options => options.Value;
    private readonly List<TimelineEntry> _pending = [];
    /// <summary>Partner events a change raises that the before/after comparison cannot see (a merge taken in), sent first.</summary>
    private readonly List<(IncidentEventKind Kind, string Summary)> _pendingEvents = [];
    private readonly HashSet<string> _changedTasks = new(StringComparer.Ordinal);
    private (int, int, bool, ResponseLevel)? _lastRelief;

    public Task<Incident> Create(CreateIncident request, Actor actor) => Mutate(() => DoCreate(request, actor));

    private async Task<Incident> DoCreate(CreateIncident request, Actor actor)
    {
        if (S.Created) throw DomainException.Conflict($"incident {Key} already exists");
        var now = clock.GetUtcNow();
        var type = request.Type ?? throw DomainException.Invalid("type", "type is required");
        if (VisibleText.IsBlank(request.Title)) throw DomainException.Invalid("title", "title is required (a visible character at least)");
        if (request.Location is not { } location) throw DomainException.Invalid("location", "location {lat, lon} is required");
        if (!new GeoPoint { Lat = location.Lat, Lon = location.Lon }.IsValid) throw DomainException.Invalid("location", "location is not a valid WGS 84 position");
        if (request.OccurredAt is not { } occurredAt) throw DomainException.Invalid("occurredAt", "occurredAt (ISO 8601) is required");
        IncidentInputRules.CheckOccurredAt(occurredAt, now);
        if (string.IsNullOrWhiteSpace(request.Source)) throw DomainException.Invalid("source", "source is required: console, hotline or an agency id");
        var assessment = request.Assessment?.ApplyTo(Assessment.None) ?? Assessment.None;
        IncidentInputRules.CheckAssessment(assessment, "assessment.");

        var areas = await GrainFactory.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetAreas();
        IncidentInputRules.CheckLocation(areas, new GeoPoint { Lat = location.Lat, Lon = location.Lon });
        string areaId;
        // A blank areaId is no area, as in the query filters: the nearest one is taken (before the twenty-third session "  " was a 400).
        if (!string.IsNullOrWhiteSpace(location.AreaId) && location.AreaId is { } given)
        {
            if (areas.All(a => a.Id != given))
                throw DomainException.Invalid("location.areaId", $"no area has the id '{given}'; the areas are: {string.Join(", ", areas.Select(a => a.Id))}");
            IncidentInputRules.CheckAreaNearPosition(areas, given, new GeoPoint { Lat = location.Lat, Lon = location.Lon });
            areaId = given;
        }
        else areaId = DispatchMath.NearestArea(areas, location.Lat, location.Lon);

        S.Created = true;
        S.Type = type;
        S.Status = IncidentStatus.Reported;
        S.Title = request.Title.Trim();
        S.Description = request.Description?.Trim() ?? "";
        S.Location = location with { AreaId = areaId };
        // A time ahead of the server's (a device clock, at most 5 minutes) is stored as the server's, as team reports' are: an
        // incident did not happen after it was reported (it was stored as sent until the twenty-ninth session).
        S.OccurredAt = occurredAt > now ? now : occurredAt;
        S.ReportedAt = now;
        S.Source = request.Source.Trim();
        S.ExternalId = request.ExternalId;
        S.Assessment = assessment;
        Record(actor, "Reported", $"{type} reported by {S.Source}: {S.Title}", reportedAt: occurredAt);
        await ApplyLevel(levels.Grade(type, assessment), levels.Explain(IncidentTypes.CategoryOf(type), assessment), actor, now);
        return await Save(actor);
    }

    public Task<Incident?> Get() => Task.FromResult(S.Created ? View() : null);

    public Task<Incident> Assess(AssessmentUpdate update, Actor actor) => Mutate(() => DoAssess(update, actor));

    private async Task<Incident> DoAssess(AssessmentUpdate update, Actor actor)
    {
        EnsureExists();
        await EnsureOpen();
        var assessment = IncidentInputRules.Amend(S.Assessment, update);
        // The same figures again (a retried report): nothing changes, no timeline entry, version or delta (there were all three).
        if (assessment == S.Assessment) return View();
        var now = clock.GetUtcNow();
        S.Assessment = assessment;
        var graded = levels.Grade(S.Type, assessment);
        var reason = levels.Explain(IncidentTypes.CategoryOf(S.Type), assessment);
        Record(actor, "Assessed", $"new figures: {Describe(assessment)}");
        switch (LevelProposalRules.OnFigures(S.Level, graded, S.ProposedLevel?.Level, S.DeclinedLevel, S.HeldAgainst))
        {
            case LevelProposalRules.Outcome.Apply: // more severe: applied and announced at once
                await ApplyLevel(graded, reason, actor, now);
                break;
            case LevelProposalRules.Outcome.Propose: // less severe: only proposed
                S.ProposedLevel = new LevelProposal { Level = graded, Reason = reason, ProposedAt = now };
                (S.DeclinedLevel, S.HeldAgainst) = (null, null);
                Record(actor, "DowngradeProposed", $"figures now grade {graded} ({reason}); a dispatcher or commander must confirm");
                break;
            case LevelProposalRules.Outcome.Clear:
                (S.ProposedLevel, S.DeclinedLevel, S.HeldAgainst) = (null, null, null);
                break;
        }
        return await Save(actor);
    }

    public Task<Incident> SetLevel(ResponseLevelRequest request, Actor actor) => Mutate(() => DoSetLevel(request, actor));

    private async Task<Incident> DoSetLevel(ResponseLevelRequest request, Actor actor)
    {
        EnsureExists();
        await EnsureOpen();
        if (request.Level is not { } level) throw DomainException.Invalid("level", "level is required: I, II, III or IV");
        if (string.IsNullOrWhiteSpace(request.Reason)) throw DomainException.Invalid("reason", "a manual level change needs a reason");
        if (level == S.Level)
        {
            // Keeping the level a downgrade proposal would lower: the proposal is declined (it stayed on every console until
            // figures happened to grade the level again, before the twenty-ninth session). Figures grading another level may
            // propose that one (LevelProposalRules).
            if (S.ProposedLevel is not { } proposal) throw DomainException.Conflict($"the incident is already at level {level}");
            S.ProposedLevel = null;
            S.DeclinedLevel = proposal.Level; // not proposed again until the figures grade another level or the level changes
            Record(actor, "DowngradeDeclined", $"kept at {level}, not {proposal.Level}: {request.Reason.Trim()}");
            return await Save(actor);
        }
        await ApplyLevel(level, $"set by {actor.Subject}: {request.Reason.Trim()}", actor, clock.GetUtcNow(), setBy: actor.Subject);
        // Set below what the figures grade (a commander's judgement): it stands until figures grade more severe than they do now.
        var graded = levels.Grade(S.Type, S.Assessment);
        if (level > graded)
        {
            S.HeldAgainst = graded;
            Record(actor, "LevelHeld", $"{level} is set against figures grading {graded}: it stands until figures grade more severe than {graded}");
        }
        return await Save(actor);
    }

    public async Task<Incident> Transition(TransitionRequest request, Actor actor)
    {
        try
        {
            return await Mutate(() => DoTransition(request, actor));
        }
        finally
        {
            _mergingInto = null;
        }
    }

    private async Task<Incident> DoTransition(TransitionRequest request, Actor actor)
    {
        EnsureExists();
        if (request.To is not { } to) throw DomainException.Invalid("to", "to is required");
        if (string.IsNullOrWhiteSpace(request.Reason)) throw DomainException.Invalid("reason", "a status change needs a reason");
        IncidentLifecycle.CheckMergedInto(to, request.MergedInto);
        if (IncidentLifecycle.Check(S.Status, to) is { } why) throw DomainException.Conflict(why);
        string? mergedInto = null;
        if (to == IncidentStatus.Merged)
        {
            if (string.IsNullOrWhiteSpace(request.MergedInto)) throw DomainException.Invalid("mergedInto", "merging needs mergedInto, the surviving incident's id");
            if (request.MergedInto == Key) throw DomainException.Invalid("mergedInto", "an incident cannot be merged into itself");
            // No incident id is that long: not looked up, nor quoted back (a partner tester's 8 KB answer).
            if (request.MergedInto.Length > MaxMergedIntoLength)
                throw DomainException.Invalid("mergedInto", $"mergedInto is {request.MergedInto.Length} characters long; an incident id has at most {MaxMergedIntoLength}");
            // Set until this change is over (Transition clears it): another incident asking to merge into this one meanwhile
            // is refused, before the check below answers and until this one's Merged status is stored (the status refuses it
            // from then on), so two incidents never end merged into each other.
            _mergingInto = request.MergedInto;
            var target = await GrainFactory.Grain<IIncidentGrain>(request.MergedInto).MergeCheck(Key);
            if (!target.Exists) throw DomainException.Invalid("mergedInto", $"no incident has the id '{request.MergedInto}'");
            if (target.Refused is { } refused) throw DomainException.Conflict(refused);
            mergedInto = request.MergedInto;
        }
        var from = S.Status;
        // A merge says the two are one case: the teams working this one go on with it at the survivor, as they are (carried
        // there after the write, SendMergeTeams). Until the twenty-ninth session they were sent home, a team on scene included.
        var carried = mergedInto is null ? [] : S.Teams.Where(t => t.ReleasedAt is null).Select(t => t.TeamId).ToList();
        if (mergedInto is not null)
        {
            // The teams stay assigned here by their own records until the survivor takes them (after this change's one write):
            // a merge cut short changes no team. Until the thirtieth session they were released first, and a merge cut short by
            // a node's death left them released from the open incident and carried nowhere.
            if (carried.Count > 0)
            {
                S.MergeTasks = [.. S.Tasks.Where(t => carried.Contains(t.TeamId) && TaskRules.IsOpen(t.Status))];
                S.CarriedTasks = [.. S.MergeTasks.Select(t => t.Id)];
            }
            // The teams and the case owed to the survivor are carried by the reminder should the node go before they are.
            _mergeTeamsReminder = await Backstop(MergeTeamsReminder, Options.TeamRepair < MergeTeamsDue ? Options.TeamRepair : MergeTeamsDue);
            foreach (var assignment in S.Teams.Where(t => t.ReleasedAt is null).ToList())
                MarkReleased(assignment, $"incident Merged into {mergedInto}, where it goes on", $"carried over to {mergedInto} with the team", actor);
        }
        else if (IncidentLifecycle.IsFinal(to))
        {
            // Stored with the releases' intent: a close cut short after them is finished by the repair, status included.
            S.PendingFinal = new FinalTransition { To = to, Reason = request.Reason.Trim(), Actor = actor.Subject };
            await ReleaseAll(actor, $"incident {to}");
            S.PendingFinal = null;
        }
        if (mergedInto is not null) S.MergedInto = mergedInto;
        var reportOwed = ReportOwed; // before the final status, which owes none
        S.Status = to;
        Record(actor, "Status", $"{from} -> {to}: {request.Reason.Trim()}" + (S.MergedInto is { } m && to == IncidentStatus.Merged ? $" (into {m})" : ""));
        if (to == IncidentStatus.Merged)
        {
            S.MergeNote = new TimelineEntry
            {
                Seq = 0, At = clock.GetUtcNow(), Actor = actor.Subject, Kind = "MergedIn", Summary = $"Merged in: {Key} ({request.Reason.Trim()})",
            };
            // The partner that reported this incident (and those it was shared with) keep their case: the survivor is shared
            // with them. Before the twenty-third session the survivor was a 404 to them, and they heard nothing more of it.
            var agencies = Recipients().Where(a => Agencies.AgencyRules.AgencyIdProblem(a) is null).ToList();
            if (agencies.Count > 0) S.MergeShare = agencies;
            if (carried.Count > 0) S.MergeTeams = carried;
            S.MergeCase = new MergedCase
            {
                Assessment = S.Assessment, Level = S.Level, LevelReason = S.LevelReason, LevelSetBy = S.LevelSetBy, CommandPost = S.CommandPost, HadRelief = S.HadRelief,
                ReportOwedBy = reportOwed?.DueBy, ReportOwedTo = reportOwed?.Tier, LastReport = S.LastReport,
            };
        }
        var incident = await Save(actor);
        await SendMergeNote();
        await SendMergeShare(actor);
        // The merge is stored: should the carry-over fail now, the merge-teams reminder (or the next activation) finishes it.
        await OwedOnActivation(() => SendMergeOwed(actor), "this incident's teams or case are not yet carried over to incident {Target}; the merge-teams reminder tries again", S.MergedInto);
        return incident;
    }

    /// <summary>The longest <c>mergedInto</c> looked up (the district's incident ids have 21 characters).</summary>
    private const int MaxMergedIntoLength = 64;

    private const string MergeTeamsReminder = "merge-teams";
    /// <summary>
    /// When a stored merge's carry-over owed is tried first (then every minute): at most 10 s, as the crews show on a merged
    /// incident meanwhile (a verifying test waited the whole minute of <see cref="DispatchOptions.TeamRepair"/>).
    /// </summary>
    private static readonly TimeSpan MergeTeamsDue = TimeSpan.FromSeconds(10);
    private IGrainReminder? _mergeTeamsReminder;

    /// <summary>
    /// Carries the teams this incident had when it was merged over to the survivor, one at a time, each with its open tasks
    /// (<see cref="CarryTeam"/>): the crews keep their status (one on scene stays on scene). A team the survivor cannot take
    /// (it is closed, or the team was released from here meanwhile) is released from here and logged. A retry applies once.
    /// </summary>
    private async Task SendMergeTeams(Actor actor)
    {
        if (S.MergeTeams is not { Count: > 0 } teams || S.MergedInto is not { } mergedInto) return;
        foreach (var team in teams)
        {
            var tasks = (S.MergeTasks ?? []).Where(t => t.TeamId == team).ToList();
            // The team goes on with the case: it keeps the time it was assigned here (its assignment here, released by the merge).
            var assignedAt = S.Teams.LastOrDefault(t => t.TeamId == team)?.AssignedAt ?? clock.GetUtcNow();
            if (await ToSurvivor(target => GrainFactory.Grain<IIncidentGrain>(target).CarryTeam(team, Key, assignedAt, tasks, actor)) is ({ } target, { } refused))
            {
                logger.LogWarning("Incident {IncidentId}: team {Team} could not be carried over to {Target} after the merge, and is released: {Reason}", Key, team, target, refused);
                await GrainFactory.Grain<IRescueTeamGrain>(team).Release(Key, $"incident Merged into {mergedInto}, which could not take the team: {refused}", actor);
            }
        }
        S.MergeTeams = null;
        S.MergeTasks = null;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// Calls the incident that takes this one's reports now: the survivor, or, when it was merged in turn meanwhile, the one
    /// its refusal names. Returns the last incident asked and its refusal when none took the call (null when one did).
    /// </summary>
    private async Task<(string Target, string Refused)?> ToSurvivor(Func<string, Task> call)
    {
        var target = await GrainFactory.Grain<IIncidentGrain>(S.MergedInto!).Survivor([Key]);
        for (var hop = 0; ; hop++)
        {
            try
            {
                await call(target);
                return null;
            }
            catch (DomainException e)
            {
                var next = await GrainFactory.Grain<IIncidentGrain>(target).Survivor([Key]);
                if (hop < 3 && next != target)
                {
                    target = next;
                    continue;
                }
                return (target, e.Reason);
            }
        }
    }

    /// <summary>
    /// Sends the survivor what a stored merge still owes it: the case (<see cref="SendMergeCase"/>), then the teams
    /// (<see cref="SendMergeTeams"/>); once both are there the merge-teams reminder goes.
    /// </summary>
    private async Task SendMergeOwed(Actor actor)
    {
        // The case first: the teams' events then carry the survivor's figures and level with the case in them.
        await SendMergeCase(actor);
        await SendMergeTeams(actor);
        _mergeTeamsReminder ??= await this.GetReminder(MergeTeamsReminder);
        if (_mergeTeamsReminder is { } reminder)
        {
            _mergeTeamsReminder = null;
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// Hands the survivor this incident's case (<see cref="MergedCase"/>). The relief demand hears of the merge first (the
    /// survivor then takes the relief over before it adds the figures, so the people housed stay where they are). A survivor
    /// that cannot take it (closed meanwhile) is logged, and the case dropped: nothing a retry could change.
    /// </summary>
    private async Task SendMergeCase(Actor actor)
    {
        if (S.MergeCase is not { } mergedCase || S.MergedInto is null) return;
        if (S.HadRelief) await UpdateRelief(View(), actor); // a no-op once the demand has it
        if (await ToSurvivor(target => GrainFactory.Grain<IIncidentGrain>(target).Absorb(Key, mergedCase, actor)) is ({ } target, { } refused))
            logger.LogWarning("Incident {IncidentId}: incident {Target} could not take in this merged incident's figures, level and post: {Reason}", Key, target, refused);
        S.MergeCase = null;
        await state.WriteStateAsync();
    }

    public Task<Incident> Absorb(string from, MergedCase mergedCase, Actor actor) => Mutate(() => DoAbsorb(from, mergedCase, actor));

    /// <summary>
    /// Takes in the case of an incident merged into this one: a merge says the two reports are one case, so nothing the centre
    /// knew of the other is dropped. Until the thirty-second session the survivor kept its own level IV and figures while the
    /// merged report's level III, trapped people, command post and situation reports (and its people's shelter places and
    /// convoys) stayed behind on the merged incident, without a word.
    /// </summary>
    private async Task<Incident> DoAbsorb(string from, MergedCase mergedCase, Actor actor)
    {
        EnsureExists();
        if (S.Absorbed.Contains(from)) return View();
        // Any incident not withdrawn takes the case: one in Recovery (a verifier's H1: the case was refused and dropped, as teams
        // are), and one closed after the merge was checked, whose people are housed and relieved all the same (its level stays).
        if (S.Status == IncidentStatus.Merged) await EnsureOpen(); // names the incident that takes its reports
        if (S.Status == IncidentStatus.Cancelled) throw DomainException.Conflict($"the incident is {S.Status}; the case of {from} cannot be taken in");
        var closed = S.Status == IncidentStatus.Closed;
        // Its relief first: its convoys and its people's shelter places are this incident's before its figures add people here
        // (who would otherwise be placed again, nearest first, while they are housed where they are).
        if (mergedCase.HadRelief) await GrainFactory.Grain<IReliefDemandGrain>(from).HandOver(Key, actor);
        if (mergedCase.CommandPost && await GrainFactory.Grain<IFieldCommandPostGrain>(from).Get() is { } theirs)
        {
            var post = await GrainFactory.Grain<IFieldCommandPostGrain>(Key).Adopt(from, theirs, actor);
            S.CommandPost = true;
            Record(actor, "CommandPost", $"the field command post of {from} goes on here: commander {post.Commander}, {theirs.SitReps.Count} situation report(s) carried over");
        }
        var (sum, added) = MergeRules.AddFigures(S.Assessment, mergedCase.Assessment);
        if (added is not null)
        {
            S.Assessment = sum;
            Record(actor, "Assessed", $"figures of {from} (merged in) added: {added}; if both reports counted the same people, correct the figures");
        }
        // The more severe level stands: the merged incident's (as graded or set there), or what the figures together grade.
        var carriedReason = $"carried from {from} (merged in): {mergedCase.LevelReason}";
        var (level, reason) = MergeRules.LevelAfterMerge(S.Level, mergedCase.Level, carriedReason,
            levels.Grade(S.Type, S.Assessment), levels.Explain(IncidentTypes.CategoryOf(S.Type), S.Assessment), S.HeldAgainst);
        if (level != S.Level && closed)
            Record(actor, "LevelHeld", $"{from} (merged in) was at level {mergedCase.Level}; this incident is closed and stays at {S.Level}");
        else if (level != S.Level) await ApplyLevel(level, reason, actor, clock.GetUtcNow(), setBy: reason == carriedReason ? mergedCase.LevelSetBy : null);
        if (!closed) TakeReportUpward(from, mergedCase, actor);
        // Partners hear of it even when the level stays (a partner tester's high finding: the added figures, trapped people
        // included, reached no agency): the figures added, in the summary, and the incident as it is now, in the body.
        _pendingEvents.Add((IncidentEventKind.IncidentMergedIn, $"{from} merged in" + (added is null ? "" : $": figures added: {added}")));
        S.Absorbed.Add(from);
        return await Save(actor);
    }

    /// <summary>The survivor's report upward after a merge (<see cref="ReportUpwardRules.OnMerge"/>), said in the timeline when it changes.</summary>
    private void TakeReportUpward(string from, MergedCase mergedCase, Actor actor)
    {
        var before = ReportOwed;
        var merged = mergedCase.ReportOwedBy is { } due ? new ReportUpwardRules.Owed(due, mergedCase.ReportOwedTo ?? levels.RulesFor(mergedCase.Level).LeadingTier) : (ReportUpwardRules.Owed?)null;
        var after = ReportUpwardRules.OnMerge(before, merged, mergedCase.LastReport?.To);
        if (mergedCase.LastReport is { } last && !(S.LastReport?.At >= last.At)) S.LastReport = last;
        if (after == before) return;
        if (after is { } owed) (S.ReportSettled, S.ReportDeadline, S.ReportTier) = (false, owed.DueBy, owed.Tier);
        else S.ReportSettled = true;
        Record(actor, "ReportUpward", after is { } o
            ? $"with {from} (merged in): report upward to {o.Tier} by {DistrictTime.Text(o.DueBy)}"
            : $"with {from} (merged in): no report upward owed (the case was reported to {mergedCase.LastReport?.To} at {(mergedCase.LastReport?.At is { } t ? DistrictTime.Text(t) : "?")})");
    }

    public Task<DispatchTask> UpdateCarriedTask(string carriedFrom, TaskUpdateRequest request, Actor actor) => Mutate(() =>
    {
        EnsureExists();
        if (S.Tasks.FirstOrDefault(t => t.CarriedFrom == carriedFrom) is { } task)
            return DoUpdateTask(task.Id, request, actor); // carried on in turn when this incident was merged too
        // The team went on to the incident this one was merged into before it arrived here (a chain of merges).
        if (S.MergedInto is { } next && next != Key)
            return GrainFactory.Grain<IIncidentGrain>(next).UpdateCarriedTask(carriedFrom, request, actor);
        throw DomainException.NotFound($"incident {Key} has no task carried over from {carriedFrom}");
    });

    /// <summary>The call of a node from before assignment times were carried (a rolling upgrade): the team's time here is now.</summary>
    public Task<Incident> CarryTeam(string teamId, string from, IReadOnlyList<DispatchTask> tasks, Actor actor) =>
        Mutate(() => DoCarryTeam(teamId, from, null, tasks, actor));

    public Task<Incident> CarryTeam(string teamId, string from, DateTimeOffset assignedAt, IReadOnlyList<DispatchTask> tasks, Actor actor) =>
        Mutate(() => DoCarryTeam(teamId, from, assignedAt, tasks, actor));

    /// <summary>
    /// Takes a team of an incident merged into this one, as it stands: its assignment moves here (<see cref="IRescueTeamGrain.Transfer"/>,
    /// keeping its status and note), and its open tasks there are added here with their status, times and alerts, under new
    /// ids. Until the thirtieth session the team was released there and dispatched here: a crew on scene went Returning, then
    /// Assigned with a new Issued task, and its work in progress was cancelled. The assignment keeps the time the team was
    /// assigned there (<paramref name="assignedAt"/>) and says where it came from (<see cref="AssignedTeamState.CarriedFrom"/>):
    /// until then it was the merge's time, and partners were told the team was "dispatched".
    /// </summary>
    private async Task<Incident> DoCarryTeam(string teamId, string from, DateTimeOffset? assignedAt, IReadOnlyList<DispatchTask> tasks, Actor actor)
    {
        EnsureExists();
        if (!IncidentLifecycle.AcceptsDispatch(S.Status))
        {
            if (S.Status == IncidentStatus.Merged) await EnsureOpen(); // names the incident that takes its reports
            throw DomainException.Conflict($"the incident is {S.Status}; teams cannot be carried over to it");
        }
        if (S.Teams.Any(t => t.TeamId == teamId && t.ReleasedAt is null)) return View(); // carried over already (a retry)
        var team = await GrainFactory.Grain<IRescueTeamGrain>(teamId).Transfer(from, Key, actor);
        var now = clock.GetUtcNow();
        S.Teams.Add(new AssignedTeamState { TeamId = team.Id, AssignedAt = assignedAt ?? now, Capabilities = [.. team.Capabilities], CarriedFrom = from });
        Record(actor, "TeamAssigned", $"{team.Id} ({team.NameEn}) carried over from {from}, merged into this incident ({team.Status})", teamId: team.Id);
        foreach (var task in tasks)
        {
            var moved = task with { Id = $"task-{++S.TaskSeq}", IncidentId = Key, CarriedFrom = $"{from}/{task.Id}", UpdatedAt = now };
            S.Tasks.Add(moved);
            _changedTasks.Add(moved.Id);
            Record(actor, "Task", $"{moved.Id} ({team.Id}): carried over from {from}/{task.Id} ({task.Status}): {task.Title}", teamId: team.Id, taskId: moved.Id);
        }
        StartResponding(actor, $"teams carried over from {from}");
        var incident = await Save(actor);
        await WatchTasks();
        return incident;
    }

    /// <summary>The incident this one is asking to be merged into, while it asks (<see cref="MergeCheck"/>).</summary>
    private string? _mergingInto;

    public async Task<MergeTargetCheck> MergeCheck(string sourceId)
    {
        if (!S.Created) return new MergeTargetCheck { Exists = false };
        string? refused = null;
        if (S.Status == IncidentStatus.Merged && S.MergedInto is not null)
        {
            var last = await Survivor([sourceId]); // the incident that takes reports now (a chain of merges is followed)
            refused = $"incident {Key} is Merged into {S.MergedInto}" + (last == Key || last == S.MergedInto ? $": merge into {S.MergedInto}" : $", itself merged into {last}: merge into {last}");
        }
        else if (IncidentLifecycle.IsFinal(S.Status)) refused = $"incident {Key} is {S.Status}";
        // Being merged itself: no merge into it until its own is stored (then the status refuses, naming the survivor). Two or
        // three incidents merged into one another at the same moment would otherwise end in a ring, and a merge into one
        // being merged would carry its teams to an incident that is no longer open (verifying tests, twenty-ninth session).
        else if (_mergingInto is { } target)
            refused = target == sourceId
                ? $"incident {Key} is being merged into {sourceId} at this moment: merge only one of the two"
                : $"incident {Key} is being merged into {target} at this moment: merge into {target} once that is done";
        return new MergeTargetCheck { Exists = true, Refused = refused };
    }

    /// <summary>
    /// Shares the surviving incident with the agencies that saw this one, then clears them. Like the merge note it is written
    /// with the merge and tried again at the next activation should the call fail; a share the survivor refuses (it would pass
    /// its limit of agencies) is logged and dropped, as no retry can change that.
    /// </summary>
    private async Task SendMergeShare(Actor actor)
    {
        if (S.MergeShare is not { Count: > 0 } agencies || S.MergedInto is not { } target) return;
        try
        {
            await GrainFactory.Grain<IIncidentGrain>(target).Share(new ShareRequest { AgencyIds = agencies, Reason = $"merged in {Key}, which they saw" }, actor);
        }
        catch (DomainException e)
        {
            logger.LogWarning("Incident {IncidentId}: incident {Target} refused to be shared with {Agencies} after the merge: {Reason}", Key, target, string.Join(", ", agencies), e.Reason);
        }
        S.MergeShare = null;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// Appends the "Merged in" entry to the surviving incident's timeline, then clears it. The call goes to that incident's
    /// timeline grain, not to the incident: a timeline calls no one, so two incidents merged into each other at the same moment
    /// cannot wait on each other through it.
    /// </summary>
    private async Task SendMergeNote()
    {
        if (S.MergeNote is not { } entry || S.MergedInto is not { } target) return;
        await GrainFactory.Grain<IIncidentTimelineGrain>(target).Append([entry]);
        S.MergeNote = null;
        await state.WriteStateAsync();
    }

    public Task<Incident> Dispatch(DispatchRequest request, Actor actor) => Mutate(() => DoDispatch(request, actor));

    private async Task<Incident> DoDispatch(DispatchRequest request, Actor actor)
    {
        EnsureExists();
        if (!IncidentLifecycle.AcceptsDispatch(S.Status))
        {
            if (S.Status == IncidentStatus.Merged) await EnsureOpen(); // names the incident that takes its reports
            throw DomainException.Conflict($"the incident is {S.Status}; teams cannot be dispatched to it");
        }
        var ids = request.TeamIds?.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct().ToList() ?? [];
        if (ids.Count == 0) throw DomainException.Invalid("teamIds", "teamIds must name at least one team");
        var toAssign = ids.Where(id => !S.Teams.Any(t => t.TeamId == id && t.ReleasedAt is null)).ToList();
        // Every team already here (a repeated request): nothing changes, no new version or console delta (there were both).
        if (toAssign.Count == 0) return View();
        // Ids the district does not have are refused from the catalogue, before any team grain is asked: a list of thousands
        // of made-up ids would otherwise activate (and in PostgreSQL mode read) a grain for each.
        await EnsureKnownTeams("teamIds", toAssign);

        // Check every team first, so a dispatch that cannot be made changes nothing.
        var teams = await Task.WhenAll(toAssign.Select(id => GrainFactory.Grain<IRescueTeamGrain>(id).Get()));
        for (var i = 0; i < toAssign.Count; i++)
        {
            var team = teams[i] ?? throw DomainException.Invalid("teamIds", $"no team has the id '{toAssign[i]}'");
            if (team.IncidentId is { } other && other != Key) throw DomainException.Conflict($"team {team.Id} is already assigned to incident {other}");
            if (!TeamStatusRules.IsDispatchable(team.Status, team.IncidentId)) throw DomainException.Conflict($"team {team.Id} is {team.Status} and cannot be dispatched");
        }

        var now = clock.GetUtcNow();
        var assigned = new List<RescueTeam>();
        await BeginTeamChanges(TeamChangeKind.Assign, toAssign, "dispatch not completed");
        try
        {
            foreach (var id in toAssign) assigned.Add(await GrainFactory.Grain<IRescueTeamGrain>(id).Assign(Key, actor));
        }
        catch (DomainException)
        {
            // Another dispatch took a team between the check and the assignment: undo this one's assignments.
            foreach (var t in assigned) await GrainFactory.Grain<IRescueTeamGrain>(t.Id).Release(Key, "dispatch undone", actor);
            await EndTeamChanges();
            throw;
        }

        foreach (var team in assigned)
        {
            S.Teams.Add(new AssignedTeamState { TeamId = team.Id, AssignedAt = now, Capabilities = [.. team.Capabilities] });
            Record(actor, "TeamAssigned", $"{team.Id} ({team.NameEn}) dispatched" + (request.Note is { Length: > 0 } n ? $": {n}" : ""), teamId: team.Id);
            AddTask(team.Id, $"Respond to {S.Type}: {S.Title}", request.Note, TaskIssuer.DistrictCentre, now + Options.DefaultTaskDue, actor, now);
        }
        if (assigned.Count > 0) StartResponding(actor, "teams dispatched");
        var incident = await Save(actor);
        await WatchTasks();
        return incident;
    }

    /// <summary>A reported or verified incident that gets its first teams is Responding (recorded with <paramref name="why"/>).</summary>
    private void StartResponding(Actor actor, string why)
    {
        if (S.Status is not (IncidentStatus.Reported or IncidentStatus.Verified)) return;
        Record(actor, "Status", $"{S.Status} -> {IncidentStatus.Responding}: {why}");
        S.Status = IncidentStatus.Responding;
    }

    /// <summary>A 400 naming <paramref name="field"/> for the first id the reference data's catalogue of teams does not list.</summary>
    private async Task EnsureKnownTeams(string field, IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0) return;
        var known = (await GrainFactory.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetTeamIds()).ToHashSet(StringComparer.Ordinal);
        if (ids.FirstOrDefault(id => !known.Contains(id)) is { } unknown) throw DomainException.Invalid(field, $"no team has the id '{unknown}'");
    }

    public Task<Incident> ReleaseTeam(string teamId, ReleaseRequest request, Actor actor) => Mutate(() => DoReleaseTeam(teamId, request, actor));

    private async Task<Incident> DoReleaseTeam(string teamId, ReleaseRequest request, Actor actor)
    {
        EnsureExists();
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? "released by the district centre" : request.Reason.Trim();
        var assignment = S.Teams.FirstOrDefault(t => t.TeamId == teamId && t.ReleasedAt is null);
        if (assignment is null) return await ReleaseUnlisted(teamId, reason, actor);
        await BeginTeamChanges(TeamChangeKind.Release, [teamId], reason);
        await Release(assignment, reason, actor);
        return await Save(actor);
    }

    public Task<IReadOnlyList<DispatchTask>> GetTasks() => Task.FromResult<IReadOnlyList<DispatchTask>>(S.Created ? [.. S.Tasks] : []);

    public Task<DispatchTask> IssueTask(IssueTaskRequest request, Actor actor) => Mutate(() => DoIssueTask(request, actor));

    private async Task<DispatchTask> DoIssueTask(IssueTaskRequest request, Actor actor)
    {
        EnsureExists();
        await EnsureOpen();
        if (string.IsNullOrWhiteSpace(request.TeamId)) throw DomainException.Invalid("teamId", "teamId is required");
        if (VisibleText.IsBlank(request.Title)) throw DomainException.Invalid("title", "title is required (a visible character at least)");
        if (!S.Teams.Any(t => t.TeamId == request.TeamId && t.ReleasedAt is null))
        {
            // A team that does not exist is bad input (400), as in a dispatch; only a real team not assigned here is a conflict.
            await EnsureKnownTeams("teamId", [request.TeamId]);
            throw DomainException.Conflict($"team {request.TeamId} is not assigned to incident {Key}; dispatch it first");
        }
        var issuer = request.IssuedBy ?? TaskIssuer.DistrictCentre;
        if (issuer == TaskIssuer.CommandPost && !S.CommandPost) throw DomainException.Conflict("the incident has no field command post");
        var now = clock.GetUtcNow();
        var due = request.DueAt ?? now + Options.DefaultTaskDue;
        if (due <= now) throw DomainException.Invalid("dueAt", "dueAt must be in the future");
        var task = AddTask(request.TeamId, request.Title.Trim(), request.Description, issuer, due, actor, now);
        await Save(actor);
        await WatchTasks();
        return task;
    }

    public Task<DispatchTask> UpdateTask(string taskId, TaskUpdateRequest request, Actor actor) => Mutate(() => DoUpdateTask(taskId, request, actor));

    private async Task<DispatchTask> DoUpdateTask(string taskId, TaskUpdateRequest request, Actor actor)
    {
        EnsureExists();
        var index = S.Tasks.FindIndex(t => t.Id == taskId);
        if (index < 0) throw DomainException.NotFound($"incident {Key} has no task '{taskId}'");
        var task = S.Tasks[index];
        if (actor.Role == Roles.Team && actor.TeamId != task.TeamId)
            throw DomainException.Forbidden($"task {taskId} belongs to team {task.TeamId}");
        if (request.Status is not { } to) throw DomainException.Invalid("status", "status is required");
        if (to == DispatchTaskStatus.Cancelled && !TaskRules.MayCancel(actor)) throw DomainException.Forbidden("only the district centre may cancel a task");
        if (S.MergedInto is { } survivor && S.CarriedTasks.Contains(taskId))
        {
            // Carried over with its team: the crew's radio still names this task. The update goes to the task it became there
            // (until the thirtieth session a "Done" sent here was kept as a late report on the cancelled task, and the task
            // at the survivor stayed open until its Overdue alert). A carry-over still owed (a node died after the merge's write)
            // is finished first, so that the task is there.
            if (S.MergeTeams is not null) await SendMergeTeams(actor);
            return await GrainFactory.Grain<IIncidentGrain>(survivor).UpdateCarriedTask($"{Key}/{taskId}", request, actor);
        }
        var now = clock.GetUtcNow();
        if (TaskRules.LateOutcome(task, to, request.Note) is var (late, lateNote))
        {
            // The outcome of cancelled work: a late report on the task's note and in the timeline; the task stays Cancelled.
            if (lateNote is null) return task; // a retry
            var lateAt = ReportTimeRules.TeamReportTime("occurredAt", request.OccurredAt, now); // the report-time rules, as any report
            S.Tasks[index] = task with { Note = lateNote, UpdatedAt = now };
            _changedTasks.Add(taskId);
            Record(actor, "Task", $"{taskId} ({task.TeamId}): late report, not applied: {late}", teamId: task.TeamId, taskId: taskId,
                reportedAt: request.OccurredAt is null ? null : lateAt);
            await Save(actor);
            return S.Tasks[index];
        }
        if (TaskRules.Check(task.Status, to) is { } why) throw DomainException.Conflict(why);

        // The same report-time rule as a team report's (at most 5 minutes ahead), and never before the task's previous event.
        var at = ReportTimeRules.TaskUpdateTime(request.OccurredAt, task.IssuedAt, now, TaskRules.LastEventAt(task));
        DateTimeOffset? reportedAt = request.OccurredAt is null ? null : at;
        if (task.Status == to)
        {
            // A note with no change of status is kept on the task and in the timeline; a repeat (a retry) changes nothing.
            if (request.Note is not { Length: > 0 } added || added == task.Note) return task;
            S.Tasks[index] = task with { Note = added, UpdatedAt = now };
            _changedTasks.Add(taskId);
            Record(actor, "Task", $"{taskId} ({task.TeamId}): note while {to} ({added})", teamId: task.TeamId, taskId: taskId, reportedAt: reportedAt);
            await Save(actor);
            return S.Tasks[index];
        }

        S.Tasks[index] = task with
        {
            Status = to,
            AcknowledgedAt = task.AcknowledgedAt ?? (to is DispatchTaskStatus.Acknowledged or DispatchTaskStatus.InProgress ? at : null),
            StartedAt = task.StartedAt ?? (to is DispatchTaskStatus.InProgress ? at : null),
            CompletedAt = TaskRules.IsOpen(to) ? null : at,
            Note = request.Note ?? task.Note,
            UpdatedAt = now,
        };
        _changedTasks.Add(taskId);
        Record(actor, "Task", $"{taskId} ({task.TeamId}): {task.Status} -> {to}" + (request.Note is { Length: > 0 } n ? $" ({n})" : ""),
            teamId: task.TeamId, taskId: taskId, reportedAt: reportedAt);
        await Save(actor);
        return S.Tasks[index];
    }

    public Task<IncidentNeedSnapshot?> GetNeed()
    {
        if (!S.Created || !IncidentLifecycle.AcceptsDispatch(S.Status)) return Task.FromResult<IncidentNeedSnapshot?>(null);
        var open = DispatchMath.OpenModules(S.RequiredModules, S.Teams.Where(t => t.ReleasedAt is null).Select(t => (IReadOnlyList<Capability>)t.Capabilities));
        return Task.FromResult<IncidentNeedSnapshot?>(new IncidentNeedSnapshot
        {
            IncidentId = Key,
            Type = S.Type,
            Level = S.Level,
            Location = new GeoPoint { Lat = S.Location!.Lat, Lon = S.Location.Lon },
            Priority = DispatchMath.Priority(S.Level, S.Assessment),
            Open = open,
        });
    }

    public Task<CommandPost> SetUpCommandPost(CommandPostRequest request, Actor actor) => Mutate(() => DoSetUpCommandPost(request, actor));

    private async Task<CommandPost> DoSetUpCommandPost(CommandPostRequest request, Actor actor)
    {
        EnsureExists();
        await EnsureOpen();
        if (request.Position is { } p)
        {
            if (!p.IsValid) throw DomainException.Invalid("position", "position is not a valid WGS 84 position");
            // On site (现场), so near the district as the incident is: a post at 0, 0 is a console's default, not a place.
            var areas = await GrainFactory.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetAreas();
            IncidentInputRules.CheckLocation(areas, p, "position");
        }
        // Only this incident changes its post, one call at a time, so what Get reads is what the update starts from.
        var postGrain = GrainFactory.Grain<IFieldCommandPostGrain>(Key);
        var current = await postGrain.Get();
        var (commander, position, change) = CommandPostRules.Apply(current, request, Options.DutyCommander,
            new GeoPoint { Lat = S.Location!.Lat, Lon = S.Location.Lon });
        var post = current is not null && change is null ? current : await postGrain.SetUp(commander, position, automatic: false, actor);
        if (!S.CommandPost)
        {
            S.CommandPost = true;
            Record(actor, "CommandPost", $"field command post set up on request, commander {post.Commander}");
            await Save(actor);
        }
        else if (change is not null)
        {
            Record(actor, "CommandPost", $"field command post updated: {change}");
            await Save(actor);
        }
        var (teams, tasks) = PostRoster();
        return post with { Teams = teams, Tasks = tasks };
    }

    public Task<SitRep> AddSitRep(SitRepRequest request, Actor actor) => Mutate(() => DoAddSitRep(request, actor));

    /// <summary>
    /// The post stores the report (and numbers it), then the incident records it in the timeline, where a dispatcher reviewing
    /// the incident reads it beside the levels, teams and tasks. Until the thirtieth session reports went to the post alone.
    /// </summary>
    private async Task<SitRep> DoAddSitRep(SitRepRequest request, Actor actor)
    {
        EnsureExists();
        if (S.Status == IncidentStatus.Merged) await EnsureOpen();
        CommandPostRules.CheckSitRepAllowed(S.Status, request.Kind);
        var report = await GrainFactory.Grain<IFieldCommandPostGrain>(Key).AddSitRep(request, actor, IncidentLifecycle.IsFinal(S.Status));
        Record(actor, "SitRep", CommandPostRules.SitRepSummary(report));
        await Save(actor);
        return report;
    }

    public async Task<IReadOnlyList<DispatchTask>> CheckTasks()
    {
        if (!S.Created) return [];
        var now = clock.GetUtcNow();
        var raised = TaskWatch.Due(S.Tasks, now, Options.TaskAckTimeout, await WorkingTeams(now)).ToList();
        foreach (var (taskId, alert) in raised)
        {
            var i = S.Tasks.FindIndex(t => t.Id == taskId);
            S.Tasks[i] = S.Tasks[i] with { Alerts = [.. S.Tasks[i].Alerts, alert], UpdatedAt = now };
            _changedTasks.Add(taskId);
            Record(Actor.System, "TaskAlert", $"{taskId} ({S.Tasks[i].TeamId}): {alert}", teamId: S.Tasks[i].TeamId, taskId: taskId);
        }
        if (raised.Count > 0)
        {
            await Save(Actor.System);
            _changedTasks.Clear();
        }
        if (!TaskWatch.NeedsWatching(S.Tasks))
        {
            var reminder = await this.GetReminder(TaskWatchReminder);
            if (reminder is not null) await this.UnregisterReminder(reminder);
            _taskWatchRegistered = false;
        }
        return [.. S.Tasks.Where(t => raised.Any(r => r.TaskId == t.Id))];
    }

    /// <summary>
    /// For the teams of tasks awaiting acknowledgement, when those showing a working status here took it (<see cref="TaskWatch.Due"/>);
    /// the teams are asked only then (incident -> team, as every call between the two). Teams that cannot be read count as silent.
    /// </summary>
    private async Task<Dictionary<string, DateTimeOffset>> WorkingTeams(DateTimeOffset now)
    {
        var ids = S.Tasks.Where(t => TaskWatch.AwaitsAcknowledgement(t, now, Options.TaskAckTimeout)).Select(t => t.TeamId).Distinct().ToList();
        if (ids.Count == 0) return [];
        try
        {
            var teams = await Task.WhenAll(ids.Select(id => GrainFactory.Grain<IRescueTeamGrain>(id).Get()));
            return teams.OfType<RescueTeam>().Where(t => t.IncidentId == Key && TaskWatch.ShowsWorking(t.Status)).ToDictionary(t => t.Id, t => t.StatusReportedAt ?? t.StatusChangedAt);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Incident {IncidentId}: the teams of unacknowledged tasks could not be read; their tasks are flagged as unanswered", Key);
            return [];
        }
    }

    /// <summary>
    /// Runs a change. When it fails, the next call starts again from the stored state: nothing half-applied in memory is ever
    /// written later by another call. A change refused by a rule (a <see cref="DomainException"/>: a 4xx) reads the stored state
    /// back into this activation; any other failure drops the activation. Dropping it for every refusal made the calls queued
    /// behind a refused one (another client's valid assessment) fail with 503 "a node went away", as Orleans rejects calls
    /// forwarded from a deactivating activation.
    /// </summary>
    private async Task<T> Mutate<T>(Func<Task<T>> change)
    {
        _pending.Clear();
        _pendingEvents.Clear();
        _changedTasks.Clear();
        _before = Snapshot();
        try
        {
            _teamChangesBegun = false;
            if (S.TeamChanges.Count > 0) await RepairTeamChanges(); // a change cut short is finished or undone before the next
            return await change();
        }
        catch (DomainException)
        {
            _pending.Clear();
            _changedTasks.Clear();
            try
            {
                await state.ReadStateAsync();
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Incident {IncidentId}: the stored state could not be read back after a refused change; the activation is dropped", Key);
                DeactivateOnIdle();
            }
            throw;
        }
        catch
        {
            _pending.Clear();
            _changedTasks.Clear();
            DeactivateOnIdle();
            throw;
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == TaskWatchReminder)
        {
            _taskWatchRegistered = true; // it ticks: registered (by an earlier activation, perhaps)
            await CheckTasks();
        }
        else if (reminderName == ReliefResendReminder) await ResendRelief();
        else if (reminderName == IncidentBoardResend.Reminder) await ResendBoard();
        else if (reminderName == TeamChangesReminder) await CheckTeamChanges();
        else if (reminderName == ReportUpwardReminder) await CheckReportUpward();
        else if (reminderName == MergeTeamsReminder)
        {
            if (S.MergeTeams is not null || S.MergeCase is not null) await SendMergeOwed(Actor.System);
            else if (await this.GetReminder(MergeTeamsReminder) is { } done) await this.UnregisterReminder(done);
        }
    }

    /// <summary>
    /// Registers the task watch once per activation while tasks need watching. Registering again at every dispatch and task
    /// moved its next tick a period later each time, so on a busy incident (a task every 40 s) it never ticked and a task no
    /// team acknowledged went unflagged for 7 minutes and more (until the twenty-ninth session).
    /// </summary>
    private async Task WatchTasks()
    {
        if (_taskWatchRegistered || !TaskWatch.NeedsWatching(S.Tasks)) return;
        await this.RegisterOrUpdateReminder(TaskWatchReminder, Options.TaskWatchPeriod, Options.TaskWatchPeriod);
        _taskWatchRegistered = true;
    }

    private bool _taskWatchRegistered;

    private DispatchTask AddTask(string teamId, string title, string? description, TaskIssuer issuer, DateTimeOffset due, Actor actor, DateTimeOffset now)
    {
        var task = new DispatchTask
        {
            Id = $"task-{++S.TaskSeq}",
            IncidentId = Key,
            TeamId = teamId,
            Title = title,
            Description = description,
            IssuedBy = issuer,
            IssuedByActor = actor.Subject,
            Status = DispatchTaskStatus.Issued,
            IssuedAt = now,
            DueAt = due,
            UpdatedAt = now,
        };
        S.Tasks.Add(task);
        _changedTasks.Add(task.Id);
        Record(actor, "Task", $"{task.Id} issued to {teamId} by {issuer}: {title} (due {DistrictTime.Text(due)})", teamId: teamId, taskId: task.Id);
        return task;
    }

    /// <summary>Sets the level for <paramref name="reason"/>; <paramref name="setBy"/> names who set it by hand (null: graded).</summary>
    private async Task ApplyLevel(ResponseLevel level, string reason, Actor actor, DateTimeOffset now, string? setBy = null)
    {
        var first = S.LevelReason.Length == 0;
        var from = S.Level;
        var owedBefore = first ? null : ReportOwed;
        var rules = levels.RulesFor(level);
        S.Level = level;
        S.LevelReason = reason;
        S.LevelSetBy = setBy;
        (S.ProposedLevel, S.DeclinedLevel, S.HeldAgainst) = (null, null, null);
        var owed = ReportUpwardRules.OnLevel(owedBefore, first, from, level, rules.LeadingTier, rules.ReportDeadline, now);
        if (owed is { } o) (S.ReportDeadline, S.ReportTier) = (o.DueBy, o.Tier);
        // An overdue report now owed to a more senior tier is overdue to that tier: said again, naming it (a verifier's L1).
        if (owed is { } after && owedBefore is { } was && after.Tier != was.Tier && S.ReportOverdueFor == after.DueBy) S.ReportOverdueFor = null;
        S.ReportSettled = owed is null;
        S.RequiredModules = [.. await GrainFactory.Grain<IResponsePlanGrain>(ResponsePlans.GrainKey).ModulesFor(S.Type, level)];
        Record(actor, first ? "Graded" : (level < from ? "LevelUpgraded" : "LevelChanged"),
            (first ? $"graded {level}: {reason}" : $"{from} -> {level}: {reason}") + $"; {rules.LeadingTier} leads, {ReportUpwardRules.LevelSummary(owed, S.LastReport?.At)}");
        if (rules.CommandPost && !S.CommandPost)
        {
            var post = await GrainFactory.Grain<IFieldCommandPostGrain>(Key).SetUp(Options.DutyCommander,
                new GeoPoint { Lat = S.Location!.Lat, Lon = S.Location.Lon }, automatic: true, actor);
            S.CommandPost = true;
            Record(actor, "CommandPost", $"field command post set up automatically at level {level}, commander {post.Commander}");
        }
    }

    private async Task ReleaseAll(Actor actor, string reason)
    {
        await BeginTeamChanges(TeamChangeKind.Release, ActiveTeams(), reason);
        foreach (var assignment in S.Teams.Where(t => t.ReleasedAt is null).ToList()) await Release(assignment, reason, actor);
    }

    private async Task Release(AssignedTeamState assignment, string reason, Actor actor)
    {
        await GrainFactory.Grain<IRescueTeamGrain>(assignment.TeamId).Release(Key, reason, actor);
        MarkReleased(assignment, reason, $"team released: {reason}", actor);
    }

    /// <summary>Ends the assignment in this incident's record and cancels the team's open tasks here, with <paramref name="taskNote"/>.</summary>
    private void MarkReleased(AssignedTeamState assignment, string reason, string taskNote, Actor actor)
    {
        var now = clock.GetUtcNow();
        assignment.ReleasedAt = now;
        assignment.ReleaseReason = reason;
        Record(actor, "TeamReleased", $"{assignment.TeamId} released: {reason}", teamId: assignment.TeamId);
        for (var i = 0; i < S.Tasks.Count; i++)
        {
            if (S.Tasks[i].TeamId == assignment.TeamId && TaskRules.IsOpen(S.Tasks[i].Status))
            {
                S.Tasks[i] = S.Tasks[i] with { Status = DispatchTaskStatus.Cancelled, CompletedAt = now, UpdatedAt = now, Note = taskNote };
                _changedTasks.Add(S.Tasks[i].Id);
                Record(actor, "Task", $"{S.Tasks[i].Id} ({assignment.TeamId}): cancelled, {taskNote}", teamId: assignment.TeamId, taskId: S.Tasks[i].Id);
            }
        }
    }

    private void Record(Actor actor, string kind, string summary, string? teamId = null, string? taskId = null, DateTimeOffset? reportedAt = null) =>
        _pending.Add(new TimelineEntry
        {
            Seq = 0, At = clock.GetUtcNow(), ReportedAt = reportedAt, Actor = actor.Subject, Kind = kind, Summary = summary, TeamId = teamId, TaskId = taskId,
        });

    /// <summary>Numbers the entries recorded so far and puts them in the stored outbox (written with the state, then appended).</summary>
    private void QueueTimeline()
    {
        foreach (var entry in _pending) S.TimelineOutbox.Add(entry with { Seq = ++S.TimelineSeq });
        _pending.Clear();
    }

    /// <summary>Writes the state, then the timeline entries and the area board summary, before the change is acknowledged.</summary>
    private async Task<Incident> Save(Actor actor)
    {
        S.Version++;
        S.UpdatedAt = clock.GetUtcNow();
        if (S.Assessment.Affected > 0 || S.Assessment.Relocated > 0) S.HadRelief = true;
        var view = View();
        var boardReminder = IncidentBoardResend.NeedsReminder(_before.Created, _before.Status, view.Status);
        foreach (var (kind, summary) in _pendingEvents) AddEvent(kind, summary, view);
        _pendingEvents.Clear();
        // Derived from the incident as partners read it: a level's reason names no one (a partner tester's finding).
        foreach (var (kind, summary) in IncidentEvents.Derive(_before, view.ForPartner(), ActiveTeams())) AddEvent(kind, summary, view);
        _before = Snapshot();
        QueueTimeline();
        if (_teamChangesBegun) (_teamChangesBegun, S.TeamChanges) = (false, []); // this change called its teams, and stores what they did
        await KeepReliefUpdate(view);
        if (boardReminder) await KeepBoardUpdate();
        await KeepReportWatch();
        await state.WriteStateAsync();
        await AppendTimeline();
        await UpdateBoard(view);
        PublishChanges(view);
        await UpdateRelief(view, actor);
        await HandOffEvents();
        await DropReportWatch();
        return view;
    }

    /// <summary>What partner events are derived against: the incident as it was before the change.</summary>
    private IncidentEvents.Before Snapshot() => new(S.Created, S.Status, S.Level, ActiveTeams());

    /// <summary>What the command post was last sent (<see cref="SendRoster"/>), in memory: a new activation sends it once more.</summary>
    private string? _rosterSent;

    /// <summary>The command post's teams and tasks (those it issued) as the REST API shows them.</summary>
    private (List<string> Teams, List<DispatchTask> Tasks) PostRoster() =>
        (ActiveTeams(), [.. S.Tasks.Where(t => t.IssuedBy == TaskIssuer.CommandPost)]);

    /// <summary>Sends the command post its teams and tasks when they changed (one-way; the version orders them).</summary>
    private void SendRoster()
    {
        if (!S.CommandPost) return;
        var (teams, tasks) = PostRoster();
        var key = string.Join(",", teams) + "|" + string.Join(",", tasks.Select(t => $"{t.Id}@{t.UpdatedAt.UtcTicks}"));
        if (key == _rosterSent) return;
        _rosterSent = key;
        _ = GrainFactory.Grain<IFieldCommandPostGrain>(Key).Roster(S.Version, teams, tasks);
    }

    private List<string> ActiveTeams() => [.. S.Teams.Where(t => t.ReleasedAt is null).Select(t => t.TeamId)];

    private IReadOnlyList<string> Recipients() =>
        [.. new[] { S.Source }.Where(s => s.Length > 0 && !IncidentSources.IsInternal(s)).Concat(S.SharedWith).Distinct(StringComparer.Ordinal)];

    /// <summary>Numbers the event and, when some agency may see the incident, queues it in the outbox written with the change.</summary>
    private void AddEvent(IncidentEventKind kind, string summary, Incident view)
    {
        var seq = ++S.EventSeq;
        var recipients = Recipients();
        if (recipients.Count == 0) return;
        S.Outbox.Add(new IncidentEvent
        {
            EventId = $"{Key}/{seq}", IncidentId = Key, Sequence = seq, Kind = kind, OccurredAt = clock.GetUtcNow(),
            // As partners read it (without the report upward: a verifier's M3).
            Summary = summary, Recipients = recipients, Incident = view.ForPartner(),
        });
    }

    /// <summary>
    /// Hands the outbox to the event sink. On failure the events stay in the stored outbox and go with the next change or
    /// activation; the sink may see an event twice (same id and sequence) but never misses one.
    /// </summary>
    private async Task HandOffEvents()
    {
        if (S.Outbox.Count == 0) return;
        var batch = S.Outbox.ToList();
        try
        {
            await GrainFactory.GetGrain<IIncidentEventSink>(0).Accept(batch);
            S.Outbox.RemoveAll(e => e.Sequence <= batch[^1].Sequence);
        }
        catch (Exception e) when (e is not DomainException)
        {
            logger.LogWarning(e, "Incident {IncidentId}: {Count} events not yet handed to the event sink; they stay in the outbox", Key, batch.Count);
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _before = Snapshot();
        await HandOffEvents();
        // What stored changes still owe others (each goes again at the next activation should it fail now).
        if (S.MergeNote is not null)
            await OwedOnActivation(SendMergeNote, "the merge entry for incident {Target} is not yet appended; it goes at the next activation", S.MergedInto);
        if (S.MergeShare is not null)
            await OwedOnActivation(() => SendMergeShare(Actor.System), "incident {Target} is not yet shared with this one's agencies; it is tried at the next activation", S.MergedInto);
        if (S.MergeTeams is not null || S.MergeCase is not null)
            await OwedOnActivation(() => SendMergeOwed(Actor.System), "this incident's teams or case are not yet carried over to incident {Target}; it is tried at the next activation", S.MergedInto);
        // A stored change whose board update may not have got there (the board ignores a repeat).
        if (S.Created && S.BoardVersion < S.Version)
            await OwedOnActivation(RepairBoard, "the area board is not yet updated; it goes with the next change");
        if (S.TimelineOutbox.Count > 0)
            await OwedOnActivation(AppendTimeline, "{Count} timeline entries not yet appended; they go with the next change", S.TimelineOutbox.Count);
        await RepairTeamChangesOnActivation();
    }

    /// <summary>Sends at activation what a stored change still owes; a failure is logged (its message after the incident id) and left for later.</summary>
    private async Task OwedOnActivation(Func<Task> send, string failure, params object?[] args)
    {
        try
        {
            await send();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Incident {IncidentId}: " + failure, [Key, .. args]);
        }
    }

    /// <summary>
    /// Appends the entries of stored changes to the timeline. They carry this incident's numbers, so an entry appended before a
    /// failure or a restart is not appended twice; the outbox is emptied in memory and stored empty with the next change.
    /// </summary>
    private async Task AppendTimeline()
    {
        if (S.TimelineOutbox.Count == 0) return;
        await GrainFactory.Grain<IIncidentTimelineGrain>(Key).Append([.. S.TimelineOutbox]);
        S.TimelineOutbox.Clear();
    }

    /// <summary>The most agencies one incident is shared with (the district works with a few dozen).</summary>
    public const int MaxSharedWith = 50;

    public Task<Incident> Share(ShareRequest request, Actor actor) => Mutate(() => DoShare(request, actor));

    private async Task<Incident> DoShare(ShareRequest request, Actor actor)
    {
        EnsureExists();
        var ids = request.AgencyIds?.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (ids.Count == 0) throw DomainException.Invalid("agencyIds", "agencyIds must name at least one agency");
        foreach (var id in ids) Agencies.AgencyRules.CheckAgencyId("agencyIds", id);
        var added = ids.Where(a => a != S.Source && !S.SharedWith.Contains(a)).ToList();
        if (added.Count == 0) return View();
        // The agencies need not be registered (a token names its agency), so the list is not checked against the registry; it is
        // bounded instead, as each event of the incident goes to every agency it is shared with.
        if (S.SharedWith.Count + added.Count > MaxSharedWith)
            throw DomainException.Invalid("agencyIds", $"an incident is shared with at most {MaxSharedWith} agencies; it is shared with {S.SharedWith.Count} and this adds {added.Count}");
        S.SharedWith.AddRange(added);
        Record(actor, "Shared", $"shared with {string.Join(", ", added)}" + (request.Reason is { Length: > 0 } r ? $": {r.Trim()}" : ""));
        return await Save(actor);
    }

    /// <summary>
    /// Records the relief demand's AtRisk, Breached or Met in the incident's timeline (<c>ReliefAtRisk</c>, <c>ReliefBreached</c>,
    /// <c>ReliefMet</c>: the audit trail an after-action review reads; until the thirty-third session only agencies heard of
    /// it) and as a partner event, once per status (the demand sends it again until confirmed), then confirms to the demand,
    /// one-way, after the write.
    /// </summary>
    public async Task NoteRelief(ReliefStatus status, string summary)
    {
        var kind = status switch
        {
            ReliefStatus.AtRisk => IncidentEventKind.ReliefAtRisk,
            ReliefStatus.Breached => IncidentEventKind.ReliefBreached,
            ReliefStatus.Met => IncidentEventKind.ReliefMet,
            _ => (IncidentEventKind?)null,
        };
        if (S.Created && kind is not null && !S.ReliefNoted.Contains(status))
        {
            AddEvent(kind.Value, summary, View());
            S.ReliefNoted.Add(status);
            Record(Actor.System, kind.Value.ToString(), summary);
            QueueTimeline();
            await state.WriteOrRestartAsync(this); // a failed note is not stored by a later change: the demand sends it again
            await AppendTimeline();
            await HandOffEvents();
        }
        await GrainFactory.Grain<IReliefDemandGrain>(Key).IncidentNoted(status);
    }

    /// <summary>
    /// An incident with affected or relocated people has a relief demand; new figures update it and a final status closes it.
    /// (The relief grain never calls back into the incident.)
    /// </summary>
    private async Task UpdateRelief(Incident view, Actor actor)
    {
        var a = view.Assessment;
        if (!S.HadRelief) return;
        var key = ReliefKey(view);
        if (_lastRelief == key) return; // nothing the relief demand depends on changed
        await GrainFactory.Grain<IReliefDemandGrain>(Key).Update(new ReliefDemandUpdate
        {
            Type = view.Type,
            Location = new GeoPoint { Lat = view.Location.Lat, Lon = view.Location.Lon },
            AreaId = view.Location.AreaId!,
            OccurredAt = view.OccurredAt,
            Affected = a.Affected,
            Relocated = a.Relocated,
            Priority = DispatchMath.Priority(view.ResponseLevel, a),
            Open = !IncidentLifecycle.IsFinal(view.Status),
            Withdrawn = view.Status is IncidentStatus.Cancelled or IncidentStatus.Merged,
            MergedInto = view.Status == IncidentStatus.Merged ? S.MergedInto : null,
        }, actor);
        _lastRelief = key; // only once the demand has it: after a failure the key still differs, and the next change sends it again
        if (_reliefResend is { } reminder)
        {
            _reliefResend = null;
            try { await this.UnregisterReminder(reminder); }
            catch (Exception e) { logger.LogWarning(e, "Incident {IncidentId}: the relief resend reminder could not be removed; it will tell the demand once more", Key); }
        }
    }

    private static (int, int, bool, ResponseLevel) ReliefKey(Incident view) =>
        (view.Assessment.Affected, view.Assessment.Relocated, IncidentLifecycle.IsFinal(view.Status), view.ResponseLevel);

    /// <summary>Puts the incident's summary on its area board (the lists, the map and the consoles' snapshots read the boards).</summary>
    private async Task UpdateBoard(Incident view)
    {
        await GrainFactory.Grain<IAreaBoardGrain>(view.Location.AreaId!).Upsert(new IncidentSummary
        {
            Id = view.Id, Type = view.Type, Category = view.Category, Status = view.Status, ResponseLevel = view.ResponseLevel,
            Title = view.Title, AreaId = view.Location.AreaId!, Lat = view.Location.Lat, Lon = view.Location.Lon,
            OccurredAt = view.OccurredAt, UpdatedAt = view.UpdatedAt, AssignedTeams = view.Teams.Count(t => t.ReleasedAt is null), Version = view.Version,
            Source = view.Source, SharedWith = view.SharedWith, MergedInto = view.Status == IncidentStatus.Merged ? view.MergedInto : null,
        });
        S.BoardVersion = view.Version;
        if (_boardResend is { } reminder)
        {
            _boardResend = null;
            try { await this.UnregisterReminder(reminder); }
            catch (Exception e) { logger.LogWarning(e, "Incident {IncidentId}: the board resend reminder could not be removed; it will update the board once more", Key); }
        }
    }

    private IGrainReminder? _boardResend;

    /// <summary>
    /// The board update goes out after the state write; the node going away in between left the board without it until the
    /// incident's next change or activation. For the changes after which an incident may never change or be read again (its
    /// report, and its final status: Closed, Cancelled, Merged) a durable reminder is set first, which sends the summary again
    /// (<see cref="IncidentBoardResend.Reminder"/>, due <see cref="DispatchOptions.ReliefResend"/>) unless the update gets there.
    /// </summary>
    private async Task KeepBoardUpdate()
    {
        if (_boardResend is not null) return;
        _boardResend = await Backstop(IncidentBoardResend.Reminder, Options.ReliefResend);
    }

    /// <summary>
    /// A durable reminder that finishes what a change sends or does after its write, should the node go away first: due
    /// <paramref name="due"/> after the change, then every minute or <paramref name="due"/>, whichever is longer (Orleans' shortest period).
    /// </summary>
    private Task<IGrainReminder> Backstop(string name, TimeSpan due) =>
        this.RegisterOrUpdateReminder(name, due, due > TimeSpan.FromMinutes(1) ? due : TimeSpan.FromMinutes(1));

    /// <summary>
    /// A stored change whose board update did not get there did not reach the consoles either: the delta goes out after the
    /// board update. So the repair sends both. Until the twenty-ninth session only the board was repaired, and a console that
    /// had resynced after the crash (to a snapshot read from the board before the repair) never showed the incident.
    /// </summary>
    private async Task RepairBoard()
    {
        var view = View();
        await UpdateBoard(view);
        foreach (var task in S.Tasks) _changedTasks.Add(task.Id);
        PublishChanges(view);
    }

    /// <summary>The board reminder's tick: sends the summary again (which removes the reminder), and the consoles the incident.</summary>
    private async Task ResendBoard()
    {
        _boardResend ??= await this.GetReminder(IncidentBoardResend.Reminder);
        if (S.Created) await RepairBoard();
        else if (_boardResend is { } reminder)
        {
            _boardResend = null;
            await this.UnregisterReminder(reminder);
        }
    }

    private const string ReliefResendReminder = "relief-resend";
    private IGrainReminder? _reliefResend;

    /// <summary>
    /// Before a change the relief demand must hear of is stored, a durable reminder is set that tells the demand again
    /// (<see cref="DispatchOptions.ReliefResend"/>) unless the update reaches it first: the update goes out after the state
    /// write, and a failure, or the node going away in between, would otherwise leave the demand without it until the next change.
    /// </summary>
    private async Task KeepReliefUpdate(Incident view)
    {
        if (!S.HadRelief || _reliefResend is not null || _lastRelief == ReliefKey(view)) return;
        _reliefResend = await Backstop(ReliefResendReminder, Options.ReliefResend);
    }

    /// <summary>The reminder's tick: tells the relief demand the incident's current people and status, then removes the reminder.</summary>
    private async Task ResendRelief()
    {
        _lastRelief = null;
        _reliefResend ??= await this.GetReminder(ReliefResendReminder);
        if (S.HadRelief) await UpdateRelief(View(), Actor.System);
        else if (_reliefResend is { } reminder)
        {
            _reliefResend = null;
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// Pushes the incident and the tasks this change touched to the consoles' scopes and the teams' field scopes, and sends the
    /// command post its teams and tasks when they changed.
    /// </summary>
    private void PublishChanges(Incident view)
    {
        SendRoster();
        string[] scopes = [Scopes.District, Scopes.Area(view.Location.AreaId!), Scopes.Incident(Key)];
        Realtime.Publish.To(GrainFactory, scopes, [new EntityChange { Kind = DeltaKinds.Incident, Id = Key, Data = view }]);
        foreach (var task in S.Tasks.Where(t => _changedTasks.Contains(t.Id)))
        {
            Realtime.Publish.To(GrainFactory, [.. scopes, Scopes.Team(task.TeamId)], [new EntityChange { Kind = DeltaKinds.Task, Id = DeltaKinds.TaskId(task.IncidentId, task.Id), Data = task }]);
        }
        _changedTasks.Clear();
    }

    private void EnsureExists()
    {
        if (!S.Created) throw DomainException.NotFound($"no incident has the id '{Key}'");
    }

    private async Task EnsureOpen()
    {
        if (S.Status == IncidentStatus.Merged && S.MergedInto is { } survivor)
        {
            // The incident it was merged into may have been merged in turn: name the one that takes reports (it named the
            // first, itself merged, until the twenty-ninth session). Survivor interleaves, so this waits on no change there.
            var last = await GrainFactory.Grain<IIncidentGrain>(survivor).Survivor([Key]);
            // Its figures hold this incident's people too (added at the merge): a partner's own count sent there as it stands
            // would replace the other reports' people (a partner tester's finding, thirty-second session).
            const string Figures = " (its figures hold this incident's people too: send the whole case's counts)";
            throw DomainException.Conflict(last == survivor
                ? $"the incident is Merged into {survivor}; send further reports to {survivor}{Figures}"
                : $"the incident is Merged into {survivor}, which was merged into {last}; send further reports to {last}{Figures}");
        }
        if (IncidentLifecycle.IsFinal(S.Status)) throw DomainException.Conflict($"the incident is {S.Status}");
    }

    /// <summary>
    /// Follows the merges from this incident, never through an incident already passed: two incidents merged into each other
    /// (which the merge rules now prevent, but a store may hold from before) would otherwise call each other for ever.
    /// </summary>
    public async Task<string> Survivor(IReadOnlyList<string> passed)
    {
        if (S.Status != IncidentStatus.Merged || S.MergedInto is not { } next || passed.Contains(next) || next == Key || passed.Count >= MaxMergeChain)
            return Key;
        return await GrainFactory.Grain<IIncidentGrain>(next).Survivor([.. passed, Key]);
    }

    /// <summary>How many merges a chain is followed through (a chain of duplicates is short; a longer one stops there).</summary>
    private const int MaxMergeChain = 50;

    private static string Describe(Assessment a) =>
        $"dead {a.Dead}, missing {a.Missing}, seriously injured {a.SeriouslyInjured}, injured {a.Injured}, trapped {a.Trapped}, " +
        $"affected {a.Affected}, relocated {a.Relocated}, direct loss {a.DirectLossCny:0} CNY" + (a.HazardousMaterials ? ", hazardous materials" : "");

    private Incident View()
    {
        var rules = levels.RulesFor(S.Level);
        return new Incident
        {
            Id = Key,
            Category = IncidentTypes.CategoryOf(S.Type),
            Type = S.Type,
            Status = S.Status,
            Title = S.Title,
            Description = S.Description,
            Location = S.Location!,
            OccurredAt = S.OccurredAt,
            ReportedAt = S.ReportedAt,
            Source = S.Source,
            ExternalId = S.ExternalId,
            Assessment = S.Assessment,
            ResponseLevel = S.Level,
            LevelReason = S.LevelReason,
            LevelSetBy = S.LevelSetBy,
            LeadingTier = rules.LeadingTier,
            ReportDeadline = S.ReportDeadline,
            ProposedLevel = S.ProposedLevel,
            RequiredModules = S.RequiredModules,
            Teams = [.. S.Teams.Select(t => new IncidentTeam { TeamId = t.TeamId, AssignedAt = t.AssignedAt, ReleasedAt = t.ReleasedAt, ReleaseReason = t.ReleaseReason, CarriedFrom = t.CarriedFrom })],
            CommandPost = S.CommandPost,
            MergedInto = S.MergedInto,
            UpdatedAt = S.UpdatedAt,
            Version = S.Version,
            SharedWith = [.. S.SharedWith],
            ReportUpward = ReportUpwardView(rules.LeadingTier),
            MergedFrom = [.. S.Absorbed],
        };
    }
}
