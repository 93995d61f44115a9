using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Field reports (team statuses, positions, task updates), command post updates, tasks and merges through the real HTTP API
/// and the field hub of one embedded node: the defects exploratory testing found on 2026-12-05. Each test uses its own teams.
/// </summary>
public sealed class FieldReportTests(EmbeddedNodeFixture fixture) : IClassFixture<EmbeddedNodeFixture>
{
    private DispatchNode Node => fixture.Node;
    private HttpClient Dispatcher => _dispatcher ??= Node.ClientAs(Roles.Dispatcher);
    private HttpClient? _dispatcher;

    private async Task<Incident> Create(IncidentType type, double lat, double lon)
    {
        var response = await Dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = type.ToString(), title = $"{type} field report test", description = "reported in a test", location = new { lat, lon },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10), source = "hotline",
        });
        return await Ok<Incident>(response, HttpStatusCode.Created);
    }

    private async Task<Incident> Dispatched(string teamId, IncidentType type = IncidentType.Flood, double lat = 23.40, double lon = 113.22)
    {
        var incident = await Create(type, lat, lon);
        await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { teamId } }));
        return incident;
    }

    private static async Task<T> Ok<T>(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    /// <summary>An RFC 9457 problem with the status, naming the field.</summary>
    private static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null) Assert.Contains($"\"{field}\"", text);
        return text;
    }

    private Task<List<TimelineEntry>> Timeline(string incidentId) => Dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incidentId}/timeline");

    private async Task Release(string incidentId, string teamId) =>
        await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/teams/{teamId}/release", new { reason = "test over" }));

    /// <summary>
    /// A position 4 minutes ahead of the server's clock is accepted and stored at the server's time, so the positions sent after
    /// it move the team (before, each of them answered 200 and was ignored as older until those 4 minutes had passed). The same
    /// holds for the position in a status report, stamped by its occurredAt, and over the field hub.
    /// </summary>
    [Fact]
    public async Task A_report_stamped_ahead_of_the_server_is_stored_at_the_server_time_and_does_not_block_later_positions()
    {
        var radio = Node.ClientAs(Roles.Team, teamId: "T09");
        var ahead = DateTimeOffset.UtcNow.AddMinutes(4);
        var first = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/position", new { lat = 23.401, lon = 113.201, at = ahead }));
        Assert.True(first.Position.At <= DateTimeOffset.UtcNow, $"stored at {first.Position.At:O}, ahead of the server");
        var second = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/position", new { lat = 23.402, lon = 113.202 }));
        Assert.Equal(23.402, second.Position.Lat);

        await using (var hub = await HubClient.ConnectAsync(Node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "T09")))
        {
            await hub.Connection.InvokeAsync<RescueTeam>("ReportPosition", new TeamPositionReport { Lat = 23.403, Lon = 113.203, At = DateTimeOffset.UtcNow.AddMinutes(4) });
            var byHub = await hub.Connection.InvokeAsync<RescueTeam>("ReportPosition", new TeamPositionReport { Lat = 23.404, Lon = 113.204 });
            Assert.Equal(23.404, byHub.Position.Lat);
        }

        // A status report's occurredAt ahead of the server stamps its position, and the status's time, with the server's time.
        var status = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/status",
            new { status = "OffDuty", occurredAt = DateTimeOffset.UtcNow.AddMinutes(4), position = new { lat = 23.405, lon = 113.205 } }));
        Assert.True(status.Position.At <= DateTimeOffset.UtcNow);
        var later = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/position", new { lat = 23.406, lon = 113.206 }));
        Assert.Equal(23.406, later.Position.Lat);
        // ... and the status sent after it is not taken for an older one.
        Assert.Equal(TeamStatus.Available, (await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/status",
            new { status = "Available", occurredAt = DateTimeOffset.UtcNow }))).Status);
        Assert.Equal((TeamStatus.Available, 23.406), ((await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/T09")).Status, later.Position.Lat));
    }

    /// <summary>
    /// A status reported late (older than the status the team holds) answers 200 with the team as it is and is kept in the
    /// timeline as a late report; it does not undo the newer status (before, OnScene at -1 min then EnRoute at -5 min left the
    /// team EnRoute).
    /// </summary>
    [Fact]
    public async Task A_late_status_report_is_recorded_but_does_not_undo_the_newer_status()
    {
        var incident = await Dispatched("D08", IncidentType.Landslide, 23.452, 113.305);
        var radio = Node.ClientAs(Roles.Team, teamId: "D08");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TeamStatus.OnScene, (await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D08/status", new { status = "OnScene", occurredAt = now.AddMinutes(-1) }))).Status);
        var late = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D08/status", new { status = "EnRoute", occurredAt = now.AddMinutes(-5), note = "left base" }));
        Assert.Equal(TeamStatus.OnScene, late.Status);
        Assert.Equal(TeamStatus.OnScene, (await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/D08")).Status);
        var entry = Assert.Single(await Timeline(incident.Id), e => e.Kind == "TeamStatus" && e.Summary.Contains("late report EnRoute"));
        Assert.Contains("left base", entry.Summary);
        Assert.Equal(now.AddMinutes(-5), entry.ReportedAt!.Value, TimeSpan.FromMilliseconds(1));

        // Over the hub alike; a report without a time (the server's now) is never late.
        await using (var hub = await HubClient.ConnectAsync(Node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "D08")))
        {
            var byHub = await hub.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.EnRoute, OccurredAt = now.AddMinutes(-4) });
            Assert.Equal(TeamStatus.OnScene, byHub.Status);
            Assert.Equal(TeamStatus.Returning, (await hub.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.Returning })).Status);
        }
        await Release(incident.Id, "D08");
    }

    /// <summary>
    /// The exploratory run's case (thirtieth session): the crew's app reports OnScene without a time, and minutes later the
    /// dispatcher copies the crew's radio log in, EnRoute a few seconds before. It undid the OnScene (the 5 minutes allowed for
    /// a device clock behind the server's took it for a live report). A step on in those minutes is still taken.
    /// </summary>
    [Fact]
    public async Task A_radio_log_copied_in_later_does_not_undo_a_status_the_app_reported_without_a_time()
    {
        var incident = await Dispatched("D04", IncidentType.Landslide, 23.452, 113.305);
        var app = Node.ClientAs(Roles.Team, teamId: "D04");
        var onScene = await Ok<RescueTeam>(await app.PostAsJsonAsync("/api/v1/teams/D04/status", new { status = "OnScene" }));
        var log = await Ok<RescueTeam>(await Dispatcher.PostAsJsonAsync("/api/v1/teams/D04/status", new { status = "EnRoute", occurredAt = onScene.StatusChangedAt.AddSeconds(-6), note = "radio log: left base" }));
        Assert.Equal(TeamStatus.OnScene, log.Status);
        Assert.Equal(TeamStatus.OnScene, (await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/D04")).Status);
        var timeline = await Timeline(incident.Id);
        Assert.Contains(timeline, e => e.Kind == "TeamStatus" && e.Summary.Contains("late report EnRoute (radio log: left base), not applied"));
        Assert.DoesNotContain(timeline, e => e.Summary.Contains("OnScene -> EnRoute"));
        // Returning dated a little before the OnScene is a radio clock behind: taken.
        Assert.Equal(TeamStatus.Returning, (await Ok<RescueTeam>(await app.PostAsJsonAsync("/api/v1/teams/D04/status", new { status = "Returning", occurredAt = onScene.StatusChangedAt.AddSeconds(-20) }))).Status);
        await Release(incident.Id, "D04");
    }

    /// <summary>
    /// Task updates sent late and out of order: each time is kept no earlier than the task's previous event and its issue time,
    /// so acknowledgedAt &lt;= startedAt &lt;= completedAt, and no timeline entry is reported before the task was issued (before,
    /// Acknowledged, InProgress and Done sent with ever earlier times gave a completedAt before the acknowledgedAt, and an
    /// acknowledgement a minute before the issue kept that time in the timeline).
    /// </summary>
    [Fact]
    public async Task Late_task_updates_keep_the_task_times_in_order_and_never_before_the_issue()
    {
        var incident = await Dispatched("T10");
        var task = (await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single();
        var radio = Node.ClientAs(Roles.Team, teamId: "T10");
        await Task.Delay(TimeSpan.FromSeconds(3)); // so that the times below are past, and after the issue
        var url = $"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status";
        var acked = await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "Acknowledged", occurredAt = task.IssuedAt.AddSeconds(2.5) }));
        var started = await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "InProgress", occurredAt = task.IssuedAt.AddSeconds(1.5) }));
        var done = await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "Done", occurredAt = task.IssuedAt.AddSeconds(0.5) }));
        Assert.Equal(task.IssuedAt.AddSeconds(2.5), acked.AcknowledgedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(acked.AcknowledgedAt, started.StartedAt);
        Assert.Equal(acked.AcknowledgedAt, done.AcknowledgedAt);
        Assert.True(done.StartedAt <= done.CompletedAt && done.AcknowledgedAt <= done.CompletedAt,
            $"acknowledged {done.AcknowledgedAt:O}, started {done.StartedAt:O}, completed {done.CompletedAt:O}");
        var entries = (await Timeline(incident.Id)).Where(e => e.TaskId == task.Id && e.ReportedAt is not null).ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal(entries.Select(e => e.ReportedAt).Order(), entries.Select(e => e.ReportedAt));
        Assert.Equal(done.CompletedAt, entries[^1].ReportedAt);

        // An acknowledgement a minute before the issue (a clock behind the server's) is at the issue time, in the timeline too.
        var second = await Ok<DispatchTask>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks", new { teamId = "T10", title = "Check the levee" }),
            HttpStatusCode.Created);
        var early = await Ok<DispatchTask>(await radio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks/{second.Id}/status",
            new { status = "Acknowledged", occurredAt = second.IssuedAt.AddMinutes(-1) }));
        Assert.Equal(second.IssuedAt, early.AcknowledgedAt);
        var entry = Assert.Single(await Timeline(incident.Id), e => e.TaskId == second.Id && e.ReportedAt is not null);
        Assert.True(entry.ReportedAt >= second.IssuedAt, $"{entry.Summary} reported at {entry.ReportedAt:O}, before the issue at {second.IssuedAt:O}");
        await Release(incident.Id, "T10");
    }

    /// <summary>
    /// A task update's occurredAt follows the report-times rule of team reports: more than 5 minutes ahead of the server is a
    /// 400 "occurredAt is in the future", over REST and the hub, and the task stays as it was (before, an hour ahead was taken).
    /// </summary>
    [Fact]
    public async Task A_task_update_an_hour_ahead_is_a_400_over_rest_and_the_hub()
    {
        var incident = await Dispatched("T11");
        var task = (await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single();
        var radio = Node.ClientAs(Roles.Team, teamId: "T11");
        var text = await Problem(await radio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status",
            new { status = "Acknowledged", occurredAt = DateTimeOffset.UtcNow.AddHours(1) }), HttpStatusCode.BadRequest, "occurredAt");
        Assert.Contains("occurredAt is in the future", text);
        await using (var hub = await HubClient.ConnectAsync(Node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "T11")))
        {
            var e = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync<DispatchTask>("UpdateTask", incident.Id, task.Id,
                new TaskUpdateRequest { Status = DispatchTaskStatus.Acknowledged, OccurredAt = DateTimeOffset.UtcNow.AddHours(1) }));
            Assert.Contains("400", e.Message);
            Assert.Contains("occurredAt is in the future", e.Message);
        }
        Assert.Equal(DispatchTaskStatus.Issued, (await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single().Status);
        // Up to 5 minutes ahead is taken, at the server's time.
        var acked = await Ok<DispatchTask>(await radio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status",
            new { status = "Acknowledged", occurredAt = DateTimeOffset.UtcNow.AddMinutes(4) }));
        Assert.True(acked.AcknowledgedAt <= DateTimeOffset.UtcNow);
        await Release(incident.Id, "T11");
    }

    /// <summary>
    /// Updating a command post changes only the fields sent: the others keep their values (before, a commander alone put the post
    /// back at the incident's location, a position alone gave it the duty commander, and {} reset both). A blank commander is a
    /// 400, and each update is in the incident's timeline.
    /// </summary>
    [Fact]
    public async Task A_command_post_update_keeps_the_fields_it_leaves_out_and_is_in_the_timeline()
    {
        var incident = await Create(IncidentType.IndustrialFire, 23.39, 113.29);
        var url = $"/api/v1/incidents/{incident.Id}/command-post";
        var setUp = await Ok<CommandPost>(await Dispatcher.PostAsJsonAsync(url, new { position = new { lat = 23.392, lon = 113.292 } }));
        var duty = setUp.Commander;
        Assert.Equal((23.392, 113.292), (setUp.Position.Lat, setUp.Position.Lon));

        var named = await Ok<CommandPost>(await Dispatcher.PostAsJsonAsync(url, new { commander = "Wang Fang" }));
        Assert.Equal(("Wang Fang", 23.392, 113.292), (named.Commander, named.Position.Lat, named.Position.Lon));
        var moved = await Ok<CommandPost>(await Dispatcher.PostAsJsonAsync(url, new { position = new { lat = 23.394, lon = 113.294 } }));
        Assert.Equal(("Wang Fang", 23.394), (moved.Commander, moved.Position.Lat));
        var same = await Ok<CommandPost>(await Dispatcher.PostAsJsonAsync(url, new { }));
        Assert.Equal(("Wang Fang", 23.394), (same.Commander, same.Position.Lat));
        await Ok<CommandPost>(await Dispatcher.PostAsJsonAsync(url, new { commander = (string?)null, position = (object?)null }));
        await Problem(await Dispatcher.PostAsJsonAsync(url, new { commander = "" }), HttpStatusCode.BadRequest, "commander");
        await Problem(await Dispatcher.PostAsJsonAsync(url, new { commander = "  " }), HttpStatusCode.BadRequest, "commander");
        var stored = await Dispatcher.GetOk<CommandPost>(url);
        Assert.Equal(("Wang Fang", 23.394, 113.294), (stored.Commander, stored.Position.Lat, stored.Position.Lon));
        Assert.NotEqual(duty, stored.Commander);

        var posts = (await Timeline(incident.Id)).Where(e => e.Kind == "CommandPost").Select(e => e.Summary).ToList();
        Assert.Equal(3, posts.Count); // set up, commander, moved; the updates that changed nothing are not entries
        Assert.Contains($"commander {duty} -> Wang Fang", posts[1]);
        Assert.Contains("moved to 23.394, 113.294", posts[2]);
    }

    [Fact]
    public async Task The_outcome_of_a_task_cancelled_by_the_close_is_kept_as_a_late_report()
    {
        // A crew reports "Done, 2 rescued" after the dispatcher closed the incident (a radio outage, a report typed up on the
        // way back). It was a 409 and left no trace.
        var incident = await Dispatched("T14", IncidentType.WaterRescue, 23.36, 113.12);
        var radio = Node.ClientAs(Roles.Team, teamId: "T14");
        var task = (await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single();
        var url = $"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status";
        await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "InProgress" }));
        foreach (var to in new[] { "Contained", "Recovery", "Closed" })
            await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to, reason = "rescue over" }));

        var late = await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "Done", note = "2 rescued", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1) }));
        Assert.Equal(DispatchTaskStatus.Cancelled, late.Status);
        // After the cancellation's reason, which stays (it was overwritten: the verifying test).
        Assert.Equal("team released: incident Closed; reported Done after the task was cancelled: 2 rescued", late.Note);
        await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "Done", note = "2 rescued" })); // a retry adds nothing
        Assert.Single(await Timeline(incident.Id), e => e.Kind == "Task" && e.Summary.Contains("late report, not applied") && e.Summary.Contains("2 rescued"));
        // Any other change of a cancelled task is still a 409.
        Assert.Equal(HttpStatusCode.Conflict, (await radio.PostAsJsonAsync(url, new { status = "InProgress" })).StatusCode);
    }

    /// <summary>
    /// A note sent with the status already held is kept: the team's (or task's) note, a timeline entry for the incident, and the
    /// answer shows it, over REST and the hub alike (before, the task's was dropped with a 200 and the team's left no entry).
    /// </summary>
    [Fact]
    public async Task A_note_without_a_change_of_status_is_stored_and_in_the_timeline_over_rest_and_the_hub()
    {
        var incident = await Dispatched("D06", IncidentType.WaterRescue, 23.35, 113.10);
        var radio = Node.ClientAs(Roles.Team, teamId: "D06");
        await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D06/status", new { status = "OnScene" }));
        const string boat = "two casualties found under bridge, need boat";
        var noted = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D06/status", new { status = "OnScene", note = boat }));
        Assert.Equal((TeamStatus.OnScene, boat), (noted.Status, noted.StatusNote));

        var task = (await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single();
        var url = $"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status";
        await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "InProgress" }));
        var taskNote = await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "InProgress", note = "bridge pier cracked" }));
        Assert.Equal((DispatchTaskStatus.InProgress, "bridge pier cracked"), (taskNote.Status, taskNote.Note));

        await using (var hub = await HubClient.ConnectAsync(Node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "D06")))
        {
            var team = await hub.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.OnScene, Note = "boat arrived" });
            Assert.Equal("boat arrived", team.StatusNote);
            var byHub = await hub.Connection.InvokeAsync<DispatchTask>("UpdateTask", incident.Id, task.Id,
                new TaskUpdateRequest { Status = DispatchTaskStatus.InProgress, Note = "first casualty out" });
            Assert.Equal("first casualty out", byHub.Note);
        }
        Assert.Equal("first casualty out", (await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single().Note);
        Assert.Equal("boat arrived", (await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/D06")).StatusNote);

        var timeline = await Timeline(incident.Id);
        foreach (var note in new[] { boat, "boat arrived" })
            Assert.Single(timeline, e => e.Kind == "TeamNote" && e.TeamId == "D06" && e.Summary.Contains(note));
        foreach (var note in new[] { "bridge pier cracked", "first casualty out" })
            Assert.Single(timeline, e => e.Kind == "Task" && e.TaskId == task.Id && e.Summary.Contains(note));
        // A repeat of the same note (a radio's retry) adds nothing.
        await Ok<DispatchTask>(await radio.PostAsJsonAsync(url, new { status = "InProgress", note = "first casualty out" }));
        Assert.Single(await Timeline(incident.Id), e => e.Kind == "Task" && e.Summary.Contains("first casualty out"));
        // The same status again without a note keeps the note; a new status without one ends it (a team's "pump broken"
        // stayed on it after it reported Available, until the twenty-ninth session).
        Assert.Equal("boat arrived", (await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D06/status", new { status = "OnScene" }))).StatusNote);
        Assert.Null((await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D06/status", new { status = "Returning" }))).StatusNote);
        await Release(incident.Id, "D06");
    }

    /// <summary>A task for a team id that does not exist is a 400 naming teamId, as a dispatch's unknown id is (before, a 409).</summary>
    [Fact]
    public async Task A_task_for_a_team_that_does_not_exist_is_a_400_naming_the_field()
    {
        var incident = await Create(IncidentType.BuildingFire, 23.38, 113.24);
        var text = await Problem(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks", new { teamId = "QQQ", title = "x" }),
            HttpStatusCode.BadRequest, "teamId");
        Assert.Contains("no team has the id 'QQQ'", text);
        // A real team that is not assigned stays a conflict.
        Assert.Contains("dispatch it first", await Problem(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks", new { teamId = "T12", title = "x" }),
            HttpStatusCode.Conflict));
        Assert.Empty(await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks"));
    }

    /// <summary>
    /// A merge leaves a trace on the surviving incident's timeline ("Merged in: C (reason)"); mergedInto on any other transition
    /// is a 400 naming the field and changes nothing (before, it was ignored with a 200).
    /// </summary>
    [Fact]
    public async Task A_merge_is_in_the_surviving_incidents_timeline_and_merged_into_is_refused_on_other_transitions()
    {
        var survivor = await Create(IncidentType.RoadTrafficAccident, 23.41, 113.21);
        var duplicate = await Create(IncidentType.RoadTrafficAccident, 23.41, 113.21);
        var other = await Create(IncidentType.RoadTrafficAccident, 23.41, 113.21);
        await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{other.Id}/transitions", new { to = "Responding", reason = "teams sent" }));
        await Problem(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{other.Id}/transitions", new { to = "Contained", reason = "x", mergedInto = survivor.Id }),
            HttpStatusCode.BadRequest, "mergedInto");
        var unchanged = await Dispatcher.GetOk<Incident>($"/api/v1/incidents/{other.Id}");
        Assert.Equal((IncidentStatus.Responding, (string?)null), (unchanged.Status, unchanged.MergedInto));

        var merged = await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{duplicate.Id}/transitions",
            new { to = "Merged", reason = "same crash, second caller", mergedInto = survivor.Id }));
        Assert.Equal(survivor.Id, merged.MergedInto);
        var entry = Assert.Single(await Timeline(survivor.Id), e => e.Kind == "MergedIn");
        Assert.Equal($"Merged in: {duplicate.Id} (same crash, second caller)", entry.Summary);
        Assert.Equal(Roles.Dispatcher, entry.Actor);
        // The surviving incident goes on as before.
        Assert.Equal(IncidentStatus.Verified, (await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{survivor.Id}/transitions",
            new { to = "Verified", reason = "checked" }))).Status);
    }

    [Fact]
    public async Task A_merge_carries_the_teams_working_the_duplicate_over_to_the_surviving_incident()
    {
        // Two calls about one person in the river; the second report got a team first, which is on scene. Merging the second
        // into the first sent the team home, its task cancelled, and it could not be sent to the survivor (a Returning team
        // was not dispatchable).
        var survivor = await Create(IncidentType.WaterRescue, 23.40, 113.26);
        var duplicate = await Dispatched("D05", IncidentType.WaterRescue, 23.38, 113.245);
        await Ok<RescueTeam>(await Node.ClientAs(Roles.Team, teamId: "D05").PostAsJsonAsync("/api/v1/teams/D05/status", new { status = "OnScene" }));

        await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{duplicate.Id}/transitions", new { to = "Merged", reason = "same river", mergedInto = survivor.Id }));

        // The crew stays on scene (since the thirtieth session: it went Returning, then Assigned with a new task).
        var team = await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/D05");
        Assert.Equal((TeamStatus.OnScene, survivor.Id), (team.Status, team.IncidentId));
        var now = await Dispatcher.GetOk<Incident>($"/api/v1/incidents/{survivor.Id}");
        Assert.Contains(now.Teams, t => t.TeamId == "D05" && t.ReleasedAt is null);
        Assert.Equal(IncidentStatus.Responding, now.Status);
        // Its task goes on there as it stood (Issued: the crew had not acknowledged it), under the survivor's numbering.
        var carried = Assert.Single(await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{survivor.Id}/tasks"), t => t.TeamId == "D05");
        Assert.Equal(DispatchTaskStatus.Issued, carried.Status);
        Assert.Equal($"{duplicate.Id}/task-1", carried.CarriedFrom);
        // The crew's radio still names the old task: its acknowledgement goes to the task it became.
        var acked = await Ok<DispatchTask>(await Node.ClientAs(Roles.Team, teamId: "D05").PostAsJsonAsync($"/api/v1/incidents/{duplicate.Id}/tasks/task-1/status", new { status = "Acknowledged" }));
        Assert.Equal((survivor.Id, carried.Id, DispatchTaskStatus.Acknowledged), (acked.IncidentId, acked.Id, acked.Status));
        Assert.Equal(DispatchTaskStatus.Cancelled, (await Dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{duplicate.Id}/tasks")).Single(t => t.Id == "task-1").Status);
        Assert.Contains(await Timeline(duplicate.Id), e => e.Kind == "TeamReleased" && e.Summary.Contains($"Merged into {survivor.Id}, where it goes on"));
        Assert.Contains(await Timeline(survivor.Id), e => e.Kind == "TeamAssigned" && e.Summary.Contains($"D05 (") && e.Summary.Contains($"carried over from {duplicate.Id}, merged into this incident (OnScene)"));
        await Release(survivor.Id, "D05");
    }

    [Fact]
    public async Task A_status_dated_before_the_release_is_recorded_on_the_incident_as_a_late_report()
    {
        // The crew's "on scene" comes through after the dispatcher released it (a radio outage): it was a 409 and left no trace.
        var incident = await Dispatched("D07", IncidentType.Flood, 23.41, 113.23);
        var radio = Node.ClientAs(Roles.Team, teamId: "D07");
        await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D07/status", new { status = "EnRoute", note = "bridge closed, going round" }));
        var onSceneAt = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await Release(incident.Id, "D07");
        // The release ends the note, which was about the incident (it stayed on the returning team until the thirtieth session).
        Assert.Null((await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/D07")).StatusNote);

        var late = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D07/status", new { status = "OnScene", note = "water knee-deep", occurredAt = onSceneAt }));
        Assert.Equal((TeamStatus.Returning, (string?)null), (late.Status, late.IncidentId));
        Assert.Contains(await Timeline(incident.Id), e => e.Kind == "TeamStatus" && e.Summary.StartsWith("D07: late report OnScene (water knee-deep), not applied: released at", StringComparison.Ordinal));
        // Without a time, or dated after the release, it is not about that incident: 409 as before.
        Assert.Equal(HttpStatusCode.Conflict, (await radio.PostAsJsonAsync("/api/v1/teams/D07/status", new { status = "OnScene" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await radio.PostAsJsonAsync("/api/v1/teams/D07/status", new { status = "Available" })).StatusCode);

        // Diverted to another incident, the crew's log of the first one is still about the first one: it was applied to the
        // new incident until the thirtieth session (the team went on scene there before it had left).
        var next = await Create(IncidentType.Flood, 23.42, 113.24);
        await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{next.Id}/dispatches", new { teamIds = new[] { "D07" } }));
        var logged = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D07/status", new { status = "OnScene", note = "two rescued from the roof", occurredAt = onSceneAt.AddMilliseconds(10) }));
        Assert.Equal((TeamStatus.Assigned, next.Id), (logged.Status, logged.IncidentId));
        Assert.Contains(await Timeline(incident.Id), e => e.Summary.StartsWith("D07: late report OnScene (two rescued from the roof), not applied", StringComparison.Ordinal));
        Assert.DoesNotContain(await Timeline(next.Id), e => e.Summary.Contains("two rescued"));
        await Release(next.Id, "D07");
    }
}
