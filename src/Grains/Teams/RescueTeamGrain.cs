using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;
using HuaduDispatch.Grains.Realtime;

namespace HuaduDispatch.Grains.Teams;

[GenerateSerializer, Alias("huadu.RescueTeamState")]
public sealed class RescueTeamState
{
    [Id(0)] public RescueTeamDefinition? Definition { get; set; }
    [Id(1)] public TeamStatus Status { get; set; }
    [Id(2)] public DateTimeOffset StatusChangedAt { get; set; }
    [Id(3)] public TeamPosition? Position { get; set; }
    [Id(4)] public string? IncidentId { get; set; }
    [Id(5)] public string? StatusNote { get; set; }
    /// <summary>When the status held took effect, by the time a report gave; null when the server set it (at <see cref="StatusChangedAt"/>).</summary>
    [Id(6)] public DateTimeOffset? StatusReportedAt { get; set; }
    /// <summary>The incident the team was last released from, and when: a late report dated before that is recorded there.</summary>
    [Id(7)] public string? LeftIncident { get; set; }
    [Id(8)] public DateTimeOffset? LeftAt { get; set; }
}

/// <summary>
/// One rescue team: its live status, position and current assignment. Incidents call it to assign and release; it never calls
/// an incident (only the incident's timeline), so there is no call cycle between the two.
/// </summary>
public sealed class RescueTeamGrain(
    [PersistentState("team", StorageNames.Dispatch)] IPersistentState<RescueTeamState> state,
    TimeProvider clock) : Grain, IRescueTeamGrain
{
    private RescueTeamState S => state.State;
    private string Key => this.GetPrimaryKeyString();

    /// <summary>
    /// The ADO.NET storage provider maps string keys that read as hex numbers ("D01", "d01", "0D01") to one row; only the
    /// activation whose key is the team's own id may see or change that row.
    /// </summary>
    private bool Exists => S.Definition is { } d && d.Id == Key && S.Position is not null;

    public async Task ApplyDefinition(RescueTeamDefinition definition)
    {
        if (definition.Id != Key)
            throw new ArgumentException($"definition of team '{definition.Id}' sent to grain '{Key}'");
        if (S.Definition is null)
        {
            // A new team starts available at its home base.
            var now = clock.GetUtcNow();
            S.Status = TeamStatus.Available;
            S.StatusChangedAt = now;
            S.Position = new TeamPosition { Lat = definition.HomeBase.Lat, Lon = definition.HomeBase.Lon, At = now };
        }
        var replacing = S.Definition is not null;
        S.Definition = definition;
        // A reload (a new name, base or capabilities) reaches the consoles following the team (not until the thirty-first
        // session: they showed the old definition until they subscribed again). The first load has no console to tell.
        if (replacing) await Changed();
        else await state.WriteOrRestartAsync(this);
    }

    public Task<RescueTeam?> Get() => Task.FromResult(Exists ? View() : null);

    public async Task<RescueTeam> ReportStatus(TeamStatusReport report, Actor actor)
    {
        EnsureExists();
        EnsureMayReport(actor);
        if (report.Status is not { } to) throw DomainException.Invalid("status", "status is required");
        if (report.Position is { } p && !p.IsValid) throw DomainException.Invalid("position", "position is not a valid WGS 84 position");
        if (report.Position is { } reported) TeamPositionRules.Check(S.Definition!.HomeBase, reported.Lat, reported.Lon, "position");
        var now = clock.GetUtcNow();
        // A time ahead of the server's is stored as the server's (clamped), so it cannot make later reports look older.
        var occurredAt = ReportTimeRules.TeamReportTime("occurredAt", report.OccurredAt, now);
        DateTimeOffset? reportedAt = report.OccurredAt is null ? null : occurredAt;

        // A report of the response dated before the team's release from an incident (a radio outage, a log copied from paper)
        // is about that incident: recorded in its timeline as a late report, not applied, as a late report of an assigned team
        // is. Until the twenty-ninth session it was a 409 ("needs an assignment") and left no trace.
        // Also once the team is dispatched again (a diversion): until the thirtieth session such a report was applied to the
        // new incident ("OnScene, driver injured" from the truck accident put the team on scene at the warehouse fire).
        if (S.LeftIncident is { } left && S.LeftAt is { } leftAt && report.OccurredAt is not null && occurredAt < leftAt
            && to is TeamStatus.EnRoute or TeamStatus.OnScene or TeamStatus.Returning)
        {
            var said = report.Note is { Length: > 0 } n0 ? $" ({n0})" : "";
            await Timeline(left, "TeamStatus", $"{Key}: late report {to}{said}, not applied: released at {leftAt:O}", actor, reportedAt);
            return View();
        }
        if (TeamStatusRules.CheckReport(S.Status, to, S.IncidentId) is { } reason) throw DomainException.Conflict(reason);

        var from = S.Status;
        var moved = report.Position is { } pos && MovePosition(pos.Lat, pos.Lon, occurredAt);
        var note = report.Note is { Length: > 0 } n ? $" ({n})" : "";
        var held = new StatusTime(S.StatusReportedAt ?? S.StatusChangedAt, S.StatusReportedAt is not null);
        if (report.OccurredAt is not null && TeamStatusRules.IsLate(occurredAt, held, now, from, to))
        {
            // Older than the status held: like an older position, it changes neither the status nor its note; the timeline keeps it.
            if (moved) await Changed();
            if (S.IncidentId is { } assignedTo && (from != to || note.Length > 0))
                await Timeline(assignedTo, "TeamStatus", $"{Key}: late report {to}{note}, not applied: {from} since {held.At:O}", actor, reportedAt);
            return View();
        }

        var noted = report.Note is { Length: > 0 } && report.Note != S.StatusNote;
        if (report.Note is not null) S.StatusNote = report.Note;
        // A new status without a note ends the old status's note ("pump broken" read on an Available team until the
        // twenty-ninth session); the same status without a note keeps it (a repeat, or a status sent again).
        else if (from != to) S.StatusNote = null;
        if (from != to)
        {
            S.Status = to;
            S.StatusChangedAt = now;
            // The time the report gave orders the next reports (by the same clock); a server time is StatusChangedAt, which is now.
            S.StatusReportedAt = report.OccurredAt is { } sent && sent <= now ? sent : null;
        }
        await Changed();
        if (S.IncidentId is { } incident)
        {
            if (from != to) await Timeline(incident, "TeamStatus", $"{Key}: {from} -> {to}{note}", actor, reportedAt);
            // A note with no change of status (a repeat of the one held is a retry) is kept as the team's note and in the timeline.
            else if (noted) await Timeline(incident, "TeamNote", $"{Key} ({to}): {report.Note}", actor, reportedAt);
        }
        return View();
    }

    public async Task<RescueTeam> ReportPosition(TeamPositionReport report, Actor actor)
    {
        EnsureExists();
        EnsureMayReport(actor);
        if (report.Lat is not { } lat || report.Lon is not { } lon || !new GeoPoint { Lat = lat, Lon = lon }.IsValid)
            throw DomainException.Invalid("lat", "lat and lon are required and must be a valid WGS 84 position");
        TeamPositionRules.Check(S.Definition!.HomeBase, lat, lon, "lat");
        var now = clock.GetUtcNow();
        var at = ReportTimeRules.TeamReportTime("at", report.At, now);
        if (MovePosition(lat, lon, at)) await Changed();
        return View();
    }

    public async Task<RescueTeam> Assign(string incidentId, Actor actor)
    {
        EnsureExists();
        if (S.IncidentId == incidentId) return View(); // a retried dispatch step applies once
        if (S.IncidentId is { } other)
            throw DomainException.Conflict($"team {Key} is already assigned to incident {other}");
        if (!TeamStatusRules.IsDispatchable(S.Status, S.IncidentId))
            throw DomainException.Conflict($"team {Key} is {S.Status} and cannot be dispatched");
        S.IncidentId = incidentId; // LeftIncident and LeftAt stay: a report dated before that release is still about that incident
        S.Status = TeamStatus.Assigned;
        S.StatusChangedAt = clock.GetUtcNow();
        S.StatusReportedAt = null;
        S.StatusNote = null;
        await Changed();
        return View();
    }

    public async Task<RescueTeam> Release(string incidentId, string reason, Actor actor)
    {
        EnsureExists();
        if (S.IncidentId != incidentId) return View(); // already released (retry) or never assigned here
        var from = S.Status;
        S.IncidentId = null;
        S.Status = TeamStatusRules.AfterRelease(from);
        // The note was about the incident (a crew driving home from a closed fire showed "need boat" until the thirtieth session).
        S.StatusNote = null;
        S.StatusChangedAt = clock.GetUtcNow();
        (S.LeftIncident, S.LeftAt) = (incidentId, S.StatusChangedAt);
        S.StatusReportedAt = null;
        await Changed(leftIncident: incidentId);
        return View();
    }

    public async Task<RescueTeam> Transfer(string from, string to, Actor actor)
    {
        EnsureExists();
        if (S.IncidentId == to) return View(); // a retried carry-over applies once
        if (S.IncidentId != from)
            throw DomainException.Conflict($"team {Key} is not assigned to incident {from}" + (S.IncidentId is { } other ? $"; it is assigned to {other}" : ""));
        S.IncidentId = to;
        await Changed(leftIncident: from);
        return View();
    }

    /// <summary>
    /// Writes the state (a failed write restarts the activation: a failed assignment, which the incident then gives to another
    /// team, must not be stored by the next report), then pushes the team to the scopes that show it (and to the incident it
    /// just left).
    /// </summary>
    private async Task Changed(string? leftIncident = null)
    {
        await state.WriteOrRestartAsync(this);
        var view = View();
        var scopes = new List<string> { Scopes.District, Scopes.Area(view.AreaId), Scopes.Team(Key) };
        if (view.IncidentId is { } incident) scopes.Add(Scopes.Incident(incident));
        if (leftIncident is not null) scopes.Add(Scopes.Incident(leftIncident));
        Realtime.Publish.To(GrainFactory, scopes, [new EntityChange { Kind = DeltaKinds.Team, Id = Key, Data = view }]);
    }

    private bool MovePosition(double lat, double lon, DateTimeOffset at)
    {
        // Late reports (radio outage, paper log) never move the team back to an older position.
        if (S.Position is { } current && ReportTimeRules.IsOlderThanHeld(at, current.At, clock.GetUtcNow())) return false;
        S.Position = new TeamPosition { Lat = lat, Lon = lon, At = at };
        return true;
    }

    private void EnsureExists()
    {
        if (!Exists) throw DomainException.NotFound($"no team has the id '{Key}'");
    }

    private void EnsureMayReport(Actor actor)
    {
        if (actor.Role == Roles.Team && actor.TeamId != Key)
            throw DomainException.Forbidden($"a token of team {actor.TeamId} may not report for team {Key}");
    }

    private Task Timeline(string incidentId, string kind, string summary, Actor actor, DateTimeOffset? reportedAt) =>
        GrainFactory.Grain<IIncidentTimelineGrain>(incidentId).Append([new TimelineEntry
        {
            Seq = 0, At = clock.GetUtcNow(), ReportedAt = reportedAt, Actor = actor.Subject, Kind = kind, Summary = summary, TeamId = Key,
        }]);

    private RescueTeam View()
    {
        var d = S.Definition!;
        return new RescueTeam
        {
            Id = d.Id,
            NameZh = d.NameZh,
            NameEn = d.NameEn,
            Level = d.Level,
            AreaId = d.AreaId,
            Capabilities = d.Capabilities,
            Members = d.Members,
            HomeBase = d.HomeBase,
            Note = d.Note,
            Status = S.Status,
            StatusChangedAt = S.StatusChangedAt,
            StatusReportedAt = S.StatusReportedAt,
            Position = S.Position!,
            IncidentId = S.IncidentId,
            StatusNote = S.StatusNote,
        };
    }
}
