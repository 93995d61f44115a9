using System.Net;
using System.Net.Http.Json;
using System.Text;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>The dispatch core end to end through the real HTTP API of an embedded node.</summary>
public sealed class DispatchFlowTests : IAsyncLifetime
{
    private DispatchNode _node = null!;
    private HttpClient _dispatcher = null!;

    public async Task InitializeAsync()
    {
        _node = await DispatchNode.StartAsync(connectionString: null);
        _dispatcher = _node.ClientAs(Roles.Dispatcher);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static object NewIncident(IncidentType type, double lat, double lon, object? assessment = null) => new
    {
        type = type.ToString(),
        title = $"{type} test",
        description = "reported in a test",
        location = new { lat, lon },
        occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10),
        source = "hotline",
        assessment,
    };

    private async Task<Incident> Create(object body)
    {
        var response = await _dispatcher.PostAsJsonAsync("/api/v1/incidents", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return System.Text.Json.JsonSerializer.Deserialize<Incident>(text, DispatchJson.Options)!;
    }

    private static async Task<T> Ok<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    private static async Task<string> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    [Fact]
    public async Task Landslide_goes_from_report_through_recommendation_dispatch_team_statuses_and_tasks_to_close()
    {
        // Huashan town, no figures: level IV, district bureau leads, plan modules for a landslide.
        var incident = await Create(NewIncident(IncidentType.Landslide, 23.452, 113.305));
        Assert.Equal(IncidentCategory.NaturalDisaster, incident.Category);
        Assert.Equal(ResponseLevel.IV, incident.ResponseLevel);
        Assert.Equal(LeadingTier.DistrictBureau, incident.LeadingTier);
        Assert.Equal("huashan", incident.Location.AreaId);
        Assert.True(incident.ReportDeadline > incident.ReportedAt);
        Assert.Equal(new[] { Capability.EngineeringMachinery, Capability.GeologicalHazard, Capability.Medical }.Order(),
            incident.RequiredModules.Select(m => m.Capability).Order());
        Assert.All(incident.RequiredModules, m => Assert.Equal(1, m.Count));

        var rec = await _dispatcher.GetOk<IncidentRecommendation>($"/api/v1/incidents/{incident.Id}/recommendations");
        Assert.Empty(rec.Unfilled);
        var picks = rec.Modules.SelectMany(m => m.Picks).ToList();
        Assert.Equal(3, picks.Count);
        Assert.All(picks, p => Assert.True(p.DistanceKm > 0 && p.EtaMinutes > 0 && p.Reason.Length > 0 && p.Eta > DateTimeOffset.UtcNow));
        var teamIds = picks.Select(p => p.TeamId).Distinct().ToList();
        Assert.Equal(3, teamIds.Count);

        var dispatched = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds }));
        Assert.Equal(IncidentStatus.Responding, dispatched.Status);
        Assert.Equal(teamIds.Order(), dispatched.Teams.Select(t => t.TeamId).Order());
        foreach (var id in teamIds)
        {
            var team = await _dispatcher.GetOk<RescueTeam>($"/api/v1/teams/{id}");
            Assert.Equal(TeamStatus.Assigned, team.Status);
            Assert.Equal(incident.Id, team.IncidentId);
        }
        // Dispatching the same teams again (a retried request) changes nothing.
        var again = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds }));
        Assert.Equal(3, again.Teams.Count);

        var tasks = await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks");
        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(DispatchTaskStatus.Issued, t.Status));

        // The first team works through its status and its task with its own token.
        var lead = teamIds[0];
        var radio = _node.ClientAs(Roles.Team, teamId: lead);
        var late = DateTimeOffset.UtcNow.AddMinutes(-3);
        var enRoute = await Ok<RescueTeam>(await radio.PostAsJsonAsync($"/api/v1/teams/{lead}/status", new { status = "EnRoute", occurredAt = late, note = "left base" }));
        Assert.Equal(TeamStatus.EnRoute, enRoute.Status);
        await Ok<RescueTeam>(await radio.PostAsJsonAsync($"/api/v1/teams/{lead}/position", new { lat = 23.45, lon = 113.30 }));
        Assert.Equal(TeamStatus.OnScene, (await Ok<RescueTeam>(await radio.PostAsJsonAsync($"/api/v1/teams/{lead}/status", new { status = "OnScene" }))).Status);
        var myTask = tasks.Single(t => t.TeamId == lead);
        foreach (var status in new[] { "Acknowledged", "InProgress", "Done" })
        {
            var updated = await Ok<DispatchTask>(await radio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks/{myTask.Id}/status", new { status }));
            Assert.Equal(status, updated.Status.ToString());
        }

        foreach (var to in new[] { "Contained", "Recovery", "Closed" })
        {
            var moved = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to, reason = $"now {to}" }));
            Assert.Equal(to, moved.Status.ToString());
        }

        // Closing released every team; their open tasks were cancelled.
        var closed = await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{incident.Id}");
        Assert.All(closed.Teams, t => Assert.NotNull(t.ReleasedAt));
        foreach (var id in teamIds)
        {
            var team = await _dispatcher.GetOk<RescueTeam>($"/api/v1/teams/{id}");
            Assert.Null(team.IncidentId);
            Assert.Equal(id == lead ? TeamStatus.Returning : TeamStatus.Available, team.Status);
        }
        var finalTasks = await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks");
        Assert.Equal(DispatchTaskStatus.Done, finalTasks.Single(t => t.Id == myTask.Id).Status);
        Assert.All(finalTasks.Where(t => t.Id != myTask.Id), t => Assert.Equal(DispatchTaskStatus.Cancelled, t.Status));

        // The timeline kept every step with who and when; the late report keeps its reported time.
        var timeline = await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Equal(Enumerable.Range(1, timeline.Count).Select(i => (long)i), timeline.Select(e => e.Seq));
        foreach (var kind in new[] { "Reported", "Graded", "TeamAssigned", "Task", "TeamStatus", "Status", "TeamReleased" })
            Assert.Contains(timeline, e => e.Kind == kind);
        var enRouteEntry = timeline.Single(e => e.Kind == "TeamStatus" && e.Summary.Contains("-> EnRoute"));
        Assert.Equal(lead, enRouteEntry.Actor);
        Assert.Equal(late, enRouteEntry.ReportedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Contains(timeline, e => e.Actor == Roles.Dispatcher && e.Kind == "TeamAssigned");

        var listed = await _dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents?status=Closed&areaId=huashan");
        Assert.Contains(listed, s => s.Id == incident.Id);
        var all = await _dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents?type=Landslide");
        Assert.Contains(all, s => s.Id == incident.Id && s.Status == IncidentStatus.Closed);
        // Two values of one filter are not combined: the 400 says so (it said both values were not in the list).
        Assert.Contains("give one status", await Expect(await _dispatcher.GetAsync("/api/v1/incidents?status=Closed&status=Merged"), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Two_landslides_at_once_are_solved_jointly_and_the_only_geological_team_goes_to_one_of_them()
    {
        // Only D03 has GeologicalHazard in the district's data.
        var a = await Create(NewIncident(IncidentType.Landslide, 23.452, 113.305));
        var b = await Create(NewIncident(IncidentType.Landslide, 23.57, 113.29, new { trapped = 2 }));
        var recA = await _dispatcher.GetOk<IncidentRecommendation>($"/api/v1/incidents/{a.Id}/recommendations");
        var recB = await _dispatcher.GetOk<IncidentRecommendation>($"/api/v1/incidents/{b.Id}/recommendations");
        Assert.Contains(b.Id, recA.SolvedJointlyWith);
        Assert.Contains(a.Id, recB.SolvedJointlyWith);

        IEnumerable<string> Geo(IncidentRecommendation r) =>
            r.Modules.Where(m => m.Capability == Capability.GeologicalHazard).SelectMany(m => m.Picks).Select(p => p.TeamId);
        // Trapped people make B more urgent: it gets D03, A is told why it gets none.
        Assert.Equal(["D03"], Geo(recB));
        Assert.Empty(Geo(recA));
        var unfilled = Assert.Single(recA.Unfilled, u => u.Capability == Capability.GeologicalHazard);
        Assert.Equal("AllBusy", unfilled.Reason);
        Assert.Equal(1, unfilled.Missing);
        // The team is free, and only proposed for B: the reason says so, not "already assigned".
        Assert.Contains($"proposed for other incidents in this joint recommendation (D03 for {b.Id})", unfilled.Detail);
        // Each team is picked for one incident only.
        var allPicks = recA.Modules.Concat(recB.Modules).SelectMany(m => m.Picks).Select(p => p.TeamId).ToList();
        Assert.Equal(allPicks.Count, allPicks.Distinct().Count());
        Assert.All(recA.Modules.Where(m => m.Capability == Capability.GeologicalHazard), m => Assert.Contains(m.Candidates, c => c.TeamId == "D03"));
    }

    [Fact]
    public async Task An_illegal_transition_answers_409_with_the_reason()
    {
        var incident = await Create(NewIncident(IncidentType.RoadTrafficAccident, 23.40, 113.22));
        var text = await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to = "Closed", reason = "done" }), HttpStatusCode.Conflict);
        Assert.Contains("Reported cannot go to Closed", text);
    }

    [Fact]
    public async Task An_off_duty_team_cannot_be_dispatched_and_a_team_cannot_be_on_scene_without_an_assignment()
    {
        var incident = await Create(NewIncident(IncidentType.BuildingFire, 23.38, 113.24));
        var radio = _node.ClientAs(Roles.Team, teamId: "T05");
        await Expect(await radio.PostAsJsonAsync("/api/v1/teams/T05/status", new { status = "OnScene" }), HttpStatusCode.Conflict);
        await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T05/status", new { status = "OffDuty" }));
        var text = await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T05" } }), HttpStatusCode.Conflict);
        Assert.Contains("OffDuty", text);
        await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T05/status", new { status = "Available" }));

        var broken = _node.ClientAs(Roles.Team, teamId: "T08");
        await Ok<RescueTeam>(await broken.PostAsJsonAsync("/api/v1/teams/T08/status", new { status = "OutOfService", note = "pump failure" }));
        var outOfService = await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T08" } }), HttpStatusCode.Conflict);
        Assert.Contains("OutOfService", outOfService);
        // A dispatch naming one busy team changes nothing for the others.
        await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T03", "T08" } }), HttpStatusCode.Conflict);
        Assert.Null((await _dispatcher.GetOk<RescueTeam>("/api/v1/teams/T03")).IncidentId);
    }

    /// <summary>
    /// Lists a client sends are checked before they fan out: thousands of made-up team ids are refused from the catalogue
    /// without activating a team grain for each, and an incident is shared with at most 50 agencies, each id well formed.
    /// </summary>
    [Fact]
    public async Task Long_lists_of_made_up_ids_are_refused_before_they_reach_a_grain_each()
    {
        var incident = await Create(NewIncident(IncidentType.Flood, 23.38, 113.20));
        var made = Enumerable.Range(0, 5000).Select(i => $"X{i}").ToArray();
        var text = await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = made }), HttpStatusCode.BadRequest);
        Assert.Contains("no team has the id 'X0'", text);
        var teamType = ((Orleans.Runtime.GrainReference)(object)_node.Grains.GetGrain<IRescueTeamGrain>("D01")).GrainId.Type;
        var active = await _node.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetActiveGrains(teamType);
        Assert.DoesNotContain(active, g => g.Key.ToString()!.StartsWith('X'));
        Assert.Empty((await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{incident.Id}")).Teams);

        var badId = await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { "fire-119", "Police 110" } }), HttpStatusCode.BadRequest);
        Assert.Contains("agencyIds", badId);
        var many = Enumerable.Range(0, 51).Select(i => $"agency-{i}").ToArray();
        Assert.Contains("at most 50 agencies", await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = many }), HttpStatusCode.BadRequest));
        Assert.Empty((await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{incident.Id}")).SharedWith);
        var fifty = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = many[..50] }));
        Assert.Equal(50, fifty.SharedWith.Count);
    }

    /// <summary>
    /// A radio whose clock was reset (1970) is told so with a 400, instead of its positions being ignored as older than the
    /// one held while the team froze on every screen; a task cannot be acknowledged before it was issued; a radio without a
    /// GPS fix (0, 0) does not move the team off Africa.
    /// </summary>
    [Fact]
    public async Task Reports_from_a_radio_with_a_reset_clock_or_no_GPS_fix_are_a_400_and_change_nothing()
    {
        var incident = await Create(NewIncident(IncidentType.WaterRescue, 23.35, 113.10));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T08" } }));
        var radio = _node.ClientAs(Roles.Team, teamId: "T08");
        var before = await _dispatcher.GetOk<RescueTeam>("/api/v1/teams/T08");
        var epoch = DateTimeOffset.UnixEpoch;

        Assert.Contains("clock", await Expect(await radio.PostAsJsonAsync("/api/v1/teams/T08/position", new { lat = 23.36, lon = 113.11, at = epoch }), HttpStatusCode.BadRequest));
        // Nor is a radio without a GPS fix (0, 0) taken as a position, in a position report or a status report.
        Assert.Contains("home base", await Expect(await radio.PostAsJsonAsync("/api/v1/teams/T08/position", new { lat = 0, lon = 0 }), HttpStatusCode.BadRequest));
        await Expect(await radio.PostAsJsonAsync("/api/v1/teams/T08/status", new { status = "EnRoute", position = new { lat = 0, lon = 0 } }), HttpStatusCode.BadRequest);
        await Expect(await radio.PostAsJsonAsync("/api/v1/teams/T08/status", new { status = "EnRoute", occurredAt = epoch, position = new { lat = 23.36, lon = 113.11 } }), HttpStatusCode.BadRequest);
        var task = (await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single();
        await Expect(await radio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status", new { status = "Acknowledged", occurredAt = task.IssuedAt.AddHours(-1) }), HttpStatusCode.BadRequest);

        var after = await _dispatcher.GetOk<RescueTeam>("/api/v1/teams/T08");
        Assert.Equal((before.Status, before.Position), (after.Status, after.Position));
        Assert.Equal(DispatchTaskStatus.Issued, (await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single().Status);
        // A clock a minute behind the server's, around the issue: taken, at the issue time.
        var acked = await Ok<DispatchTask>(await radio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status", new { status = "Acknowledged", occurredAt = task.IssuedAt.AddMinutes(-1) }));
        Assert.Equal(task.IssuedAt, acked.AcknowledgedAt);
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/T08/release", new { reason = "test over" }));
    }

    [Fact]
    public async Task A_team_token_cannot_report_for_another_team_or_move_its_tasks()
    {
        var incident = await Create(NewIncident(IncidentType.WaterRescue, 23.33, 113.08));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T06" } }));
        var otherRadio = _node.ClientAs(Roles.Team, teamId: "T07");
        await Expect(await otherRadio.PostAsJsonAsync("/api/v1/teams/T06/status", new { status = "EnRoute" }), HttpStatusCode.Forbidden);
        var task = (await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single();
        await Expect(await otherRadio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks/{task.Id}/status", new { status = "Acknowledged" }), HttpStatusCode.Forbidden);
        // A team token cannot dispatch (role policy).
        Assert.Equal(HttpStatusCode.Forbidden, (await otherRadio.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T07" } })).StatusCode);
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/T06/release", new { reason = "test over" }));
    }

    [Fact]
    public async Task Upgrades_apply_at_once_downgrades_are_only_proposed_and_a_manual_change_needs_a_reason()
    {
        // 4 dead in a building fire: level III, the district command leads with a field command post.
        var incident = await Create(NewIncident(IncidentType.BuildingFire, 23.41, 113.18, new { dead = 4 }));
        Assert.Equal(ResponseLevel.III, incident.ResponseLevel);
        Assert.Equal(LeadingTier.DistrictCommand, incident.LeadingTier);
        Assert.True(incident.CommandPost);
        var post = await _dispatcher.GetOk<CommandPost>($"/api/v1/incidents/{incident.Id}/command-post");
        Assert.True(post.Automatic);

        var upgraded = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { dead = 12 }));
        Assert.Equal(ResponseLevel.II, upgraded.ResponseLevel);
        Assert.Equal(LeadingTier.City, upgraded.LeadingTier);

        var proposed = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { dead = 1 }));
        Assert.Equal(ResponseLevel.II, proposed.ResponseLevel);
        Assert.Equal(ResponseLevel.IV, proposed.ProposedLevel!.Level);

        var noReason = await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level = "IV" }), HttpStatusCode.BadRequest);
        Assert.Contains("reason", noReason);
        var confirmed = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level = "IV", reason = "figures corrected by the fire service" }));
        Assert.Equal(ResponseLevel.IV, confirmed.ResponseLevel);
        Assert.Null(confirmed.ProposedLevel);
        var timeline = await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Contains(timeline, e => e.Kind == "LevelUpgraded");
        Assert.Contains(timeline, e => e.Kind == "DowngradeProposed");
        Assert.Contains(timeline, e => e.Kind == "LevelChanged" && e.Summary.Contains("figures corrected"));
        // The level it is at again, with no proposal: nothing to do, a 409.
        await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level = "IV", reason = "again" }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_proposed_downgrade_is_declined_by_keeping_the_level_with_a_reason()
    {
        var incident = await Create(NewIncident(IncidentType.ConfinedSpace, 23.37, 113.20, new { dead = 3 }));
        Assert.Equal(ResponseLevel.III, incident.ResponseLevel);
        var proposed = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { dead = 0 }));
        Assert.Equal(ResponseLevel.IV, proposed.ProposedLevel!.Level);
        // The commander keeps III: two are still missing in the sewer. It was a 409 "already at level III", and the proposal
        // stayed on every console.
        var kept = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level = "III", reason = "two still missing in the sewer" }));
        Assert.Equal((ResponseLevel.III, (LevelProposal?)null), (kept.ResponseLevel, kept.ProposedLevel));
        var timeline = await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Contains(timeline, e => e.Kind == "DowngradeDeclined" && e.Summary.Contains("two still missing"));

        // Later counts that grade IV again do not put the declined proposal back (they did, with a new entry at each count,
        // until the thirtieth session); figures grading the kept level III forget the decline, and IV is proposed again after.
        var counted = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { injured = 3 }));
        Assert.Null(counted.ProposedLevel);
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { trapped = 1 }));
        Assert.Single(await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline"), e => e.Kind == "DowngradeProposed");
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { dead = 3 }));
        Assert.Equal(ResponseLevel.IV, (await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { dead = 0 }))).ProposedLevel!.Level);
    }

    [Fact]
    public async Task Command_post_numbers_its_situation_reports_and_issues_tasks_to_its_teams()
    {
        var incident = await Create(NewIncident(IncidentType.HazmatLeak, 23.39, 113.29, new { dead = 3 }));
        Assert.True(incident.CommandPost);
        var s1 = await Ok<SitRep>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Initial", text = "leak contained to one tanker" }));
        var s2 = await Ok<SitRep>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Update", text = "road closed" }));
        Assert.Equal((1, 2), (s1.Number, s2.Number));
        // Each report is in the incident's timeline too, where the after-action review reads it beside the teams and tasks.
        var reports = (await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline")).Where(e => e.Kind == "SitRep").Select(e => e.Summary);
        Assert.Equal(["situation report 1 (Initial): leak contained to one tanker", "situation report 2 (Update): road closed"], reports);
        await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Initial", text = "again" }), HttpStatusCode.Conflict);
        // The post moves on site; a position of 0, 0 (a console's default) is refused and the post stays where it was.
        var moved = await Ok<CommandPost>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post", new { position = new { lat = 23.392, lon = 113.292 } }));
        Assert.Equal(23.392, moved.Position.Lat);
        Assert.Contains("km from the nearest area", await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post", new { position = new { lat = 0, lon = 0 } }), HttpStatusCode.BadRequest));
        Assert.Equal(23.392, (await _dispatcher.GetOk<CommandPost>($"/api/v1/incidents/{incident.Id}/command-post")).Position.Lat);

        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "D02" } }));
        var issued = await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks",
            new { teamId = "D02", title = "Seal the valve", issuedBy = "CommandPost", dueAt = DateTimeOffset.UtcNow.AddMinutes(30) });
        var task = await Ok<DispatchTask>(issued);
        Assert.Equal(TaskIssuer.CommandPost, task.IssuedBy);
        // Its Location can be read (a 404 until the thirty-first session), also by the id deltas carry.
        Assert.Equal(task.Title, (await _dispatcher.GetOk<DispatchTask>(issued.Headers.Location!.ToString())).Title);
        Assert.Equal(task.Id, (await _dispatcher.GetOk<DispatchTask>($"/api/v1/incidents/{incident.Id}/tasks/{Uri.EscapeDataString($"{incident.Id}/{task.Id}")}")).Id);
        await Expect(await _dispatcher.GetAsync($"/api/v1/incidents/{incident.Id}/tasks/task-99"), HttpStatusCode.NotFound);
        // A member the assessment does not have is refused, the C# helper IsEmpty included (it leaked into the schema).
        Assert.Contains("isEmpty", await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { trapped = 1, isEmpty = false }), HttpStatusCode.BadRequest));
        var post = await _dispatcher.GetOk<CommandPost>($"/api/v1/incidents/{incident.Id}/command-post");
        Assert.Equal(["D02"], post.Teams);
        Assert.Contains(post.Tasks, t => t.Id == task.Id);
        // A task for a team that is not assigned is refused.
        await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks", new { teamId = "D03", title = "x" }), HttpStatusCode.Conflict);
        var survivor = await Create(NewIncident(IncidentType.HazmatLeak, 23.39, 113.29));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = survivor.Id }));
        // The merged incident's post takes no more reports: they go to the incident that takes reports.
        Assert.Contains($"send further reports to {survivor.Id}", await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Update", text = "late" }), HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task After_the_close_only_the_final_situation_report_is_taken_and_it_is_in_the_timeline()
    {
        var incident = await Create(NewIncident(IncidentType.HazmatLeak, 23.39, 113.29, new { dead = 3 }));
        await Ok<SitRep>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Initial", text = "tanker leaking" }));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to = "Cancelled", reason = "handed to the city's hazmat unit" }));
        Assert.Contains("only the Final situation report", await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Update", text = "still leaking" }), HttpStatusCode.Conflict));
        var final = await Ok<SitRep>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Final", text = "handed over at 14:05, no casualties on our side" }));
        Assert.Equal((2, SitRepKind.Final), (final.Number, final.Kind));
        var timeline = await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Equal(["situation report 1 (Initial): tanker leaking", "situation report 2 (Final): handed over at 14:05, no casualties on our side"],
            timeline.Where(e => e.Kind == "SitRep").Select(e => e.Summary));
        Assert.DoesNotContain(timeline, e => e.Summary.Contains("still leaking"));

        // A post with no report yet takes the Final as its first once the incident is over (it asked for an Initial first).
        var quiet = await Create(NewIncident(IncidentType.HazmatLeak, 23.39, 113.29, new { dead = 3 }));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{quiet.Id}/transitions", new { to = "Cancelled", reason = "false alarm" }));
        var only = await Ok<SitRep>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{quiet.Id}/command-post/sitreps", new { kind = "Final", text = "false alarm: steam from a vent" }));
        Assert.Equal((1, SitRepKind.Final), (only.Number, only.Kind));
    }

    [Fact]
    public async Task A_false_alarm_found_by_the_team_sent_to_it_is_cancelled_and_the_team_released()
    {
        var incident = await Create(NewIncident(IncidentType.BuildingFire, 23.401, 113.221));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T03" } }));
        var cancelled = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to = "Cancelled", reason = "false alarm: barbecue smoke" }));
        Assert.Equal(IncidentStatus.Cancelled, cancelled.Status);
        Assert.All(cancelled.Teams, t => Assert.Equal("incident Cancelled", t.ReleaseReason));
        Assert.Null((await _dispatcher.GetOk<RescueTeam>("/api/v1/teams/T03")).IncidentId);
    }

    [Fact]
    public async Task A_team_released_on_its_way_is_diverted_to_another_incident_without_reporting_Available_first()
    {
        var first = await Create(NewIncident(IncidentType.Waterlogging, 23.40, 113.22));
        var urgent = await Create(NewIncident(IncidentType.GroundCollapse, 23.37, 113.20, new { trapped = 12 }));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{first.Id}/dispatches", new { teamIds = new[] { "T10" } }));
        await Ok<RescueTeam>(await _node.ClientAs(Roles.Team, teamId: "T10").PostAsJsonAsync("/api/v1/teams/T10/status", new { status = "EnRoute" }));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{first.Id}/teams/T10/release", new { reason = "diverted to the road collapse" }));
        Assert.Equal(TeamStatus.Returning, (await _dispatcher.GetOk<RescueTeam>("/api/v1/teams/T10")).Status);
        var diverted = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{urgent.Id}/dispatches", new { teamIds = new[] { "T10" } }));
        Assert.Contains(diverted.Teams, t => t.TeamId == "T10" && t.ReleasedAt is null);
        var team = await _dispatcher.GetOk<RescueTeam>("/api/v1/teams/T10");
        Assert.Equal((TeamStatus.Assigned, urgent.Id), (team.Status, team.IncidentId));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{urgent.Id}/teams/T10/release", new { reason = "test over" }));
    }

    [Fact]
    public async Task A_report_to_an_incident_merged_twice_names_the_incident_that_takes_reports()
    {
        var a = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
        var b = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
        var c = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = b.Id }));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{b.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = c.Id }));
        // It named B, itself merged, and following that advice gave another 409.
        var refused = await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/assessments", new { trapped = 4 }), HttpStatusCode.Conflict);
        Assert.Contains($"send further reports to {c.Id}", refused);
        // So do a dispatch to it and a merge into it (they named nobody, or B: the verifying test).
        Assert.Contains($"send further reports to {c.Id}", await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/dispatches", new { teamIds = new[] { "T17" } }), HttpStatusCode.Conflict));
        var d = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
        Assert.Contains($"merge into {c.Id}", await Expect(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{d.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = a.Id }), HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task An_incident_time_a_little_ahead_of_the_server_is_stored_as_the_servers()
    {
        var ahead = DateTimeOffset.UtcNow.AddMinutes(4);
        var incident = await Create(new
        {
            type = "Waterlogging", title = "Device clock ahead", location = new { lat = 23.39, lon = 113.22 }, occurredAt = ahead, source = "hotline",
        });
        Assert.True(incident.OccurredAt <= incident.ReportedAt, $"occurred {incident.OccurredAt:O} after it was reported {incident.ReportedAt:O}");
    }

    [Fact]
    public async Task Two_incidents_merged_into_each_other_at_the_same_moment_never_wait_on_each_other_and_never_both_merge()
    {
        // Two dispatchers each merge "their" duplicate into the other. Each merge read the other incident while holding its
        // own, so the two waited on each other for Orleans' 30 s response timeout, then failed with 503; meanwhile every read
        // of either (and every recommendation in the district) was a 500 (an exploratory test hit it in 2 of 5 tries).
        for (var round = 0; round < 10; round++)
        {
            var a = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
            var b = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
            var answers = await Task.WhenAll(
                _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = b.Id }),
                _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{b.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = a.Id }));
            var statuses = answers.Select(r => r.StatusCode).ToList();
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, $"round {round}: {string.Join(", ", statuses)}"));
            var after = new[] { await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{a.Id}"), await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{b.Id}") };
            Assert.True(after.Count(i => i.Status == IncidentStatus.Merged) <= 1, $"round {round}: both merged into each other");
            Assert.Equal(statuses.Count(s => s == HttpStatusCode.OK), after.Count(i => i.Status == IncidentStatus.Merged));
        }

        // With teams on both: a merge that goes through carries its teams to the other, which calls that incident; the two
        // must still never wait on each other, nor end merged into each other.
        for (var round = 0; round < 3; round++)
        {
            var a = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
            var b = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
            await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/dispatches", new { teamIds = new[] { "T15" } }));
            await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{b.Id}/dispatches", new { teamIds = new[] { "T16" } }));
            var answers = await Task.WhenAll(
                _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = b.Id }),
                _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{b.Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = a.Id }));
            var statuses = answers.Select(r => r.StatusCode).ToList();
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, $"with teams, round {round}: {string.Join(", ", statuses)}"));
            var after = new[] { await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{a.Id}"), await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{b.Id}") };
            Assert.True(after.Count(i => i.Status == IncidentStatus.Merged) <= 1, $"with teams, round {round}: both merged into each other");
            // Whatever happened, both teams work the incident still open (or each its own when neither merge went through).
            foreach (var open in after.Where(i => i.Status != IncidentStatus.Merged))
                await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{open.Id}/transitions", new { to = "Cancelled", reason = "test over" }));
            foreach (var teamId in new[] { "T15", "T16" })
                Assert.Null((await _dispatcher.GetOk<RescueTeam>($"/api/v1/teams/{teamId}")).IncidentId);
        }

        // Three merged into one another in a ring at the same moment (A into B, B into C, C into A), a team on each. The mark
        // stopped only a merge from the incident it was merging into: the ring formed in 6 of 25 runs, every merge waited 30 s
        // on the next to take its teams, and the three stayed unreadable (the second verifying test).
        string[] ringTeams = ["T11", "T12", "T13"];
        for (var round = 0; round < 4; round++)
        {
            var ring = new List<Incident>();
            for (var i = 0; i < 3; i++)
            {
                var incident = await Create(NewIncident(IncidentType.Waterlogging, 23.39, 113.22));
                await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { ringTeams[i] } }));
                ring.Add(incident);
            }
            var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
                _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{ring[i].Id}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = ring[(i + 1) % 3].Id })));
            var statuses = answers.Select(r => r.StatusCode).ToList();
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, $"ring, round {round}: {string.Join(", ", statuses)}"));
            var after = new List<Incident>();
            foreach (var incident in ring) after.Add(await _dispatcher.GetOk<Incident>($"/api/v1/incidents/{incident.Id}"));
            Assert.True(after.Count(i => i.Status == IncidentStatus.Merged) < 3, $"ring, round {round}: all three merged into one another");
            // Each team works an open incident: its own, or the one its incident was merged into (never sent home).
            var open = after.Where(i => i.Status != IncidentStatus.Merged).Select(i => i.Id).ToHashSet();
            foreach (var teamId in ringTeams)
            {
                var team = await _dispatcher.GetOk<RescueTeam>($"/api/v1/teams/{teamId}");
                Assert.True(team.IncidentId is { } on && open.Contains(on), $"ring, round {round}: {teamId} is on {team.IncidentId ?? "nothing"} ({string.Join(", ", after.Select(i => $"{i.Id} {i.Status}"))})");
            }
            foreach (var id in open)
                await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/transitions", new { to = "Cancelled", reason = "test over" }));
        }
    }

    [Fact]
    public async Task An_overdue_task_raises_an_alert_in_the_task_and_the_timeline()
    {
        var incident = await Create(NewIncident(IncidentType.ConfinedSpace, 23.37, 113.20));
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T04" } }));
        var task = await Ok<DispatchTask>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks",
            new { teamId = "T04", title = "Ventilate the shaft", dueAt = DateTimeOffset.UtcNow.AddSeconds(1) }));
        await Task.Delay(1500);
        var alerted = await _node.Grains.GetGrain<IIncidentGrain>(incident.Id).CheckTasks();
        Assert.Contains(alerted, t => t.Id == task.Id && t.Alerts.Contains("Overdue"));
        var timeline = await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Contains(timeline, e => e.Kind == "TaskAlert" && e.TaskId == task.Id);
        // Raised once: a second check adds nothing.
        Assert.DoesNotContain(await _node.Grains.GetGrain<IIncidentGrain>(incident.Id).CheckTasks(), t => t.Id == task.Id);
        await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/T04/release", new { reason = "test over" }));
    }

    [Theory]
    [InlineData("""{"title":"x","location":{"lat":23.4,"lon":113.2},"occurredAt":"2026-11-29T08:00:00+08:00","source":"console"}""", "type")]
    [InlineData("""{"type":"Earthquake","title":"x"}""", null)]
    [InlineData("""{"type":"Flood","title":"x","location":{"lat":123.4,"lon":113.2},"occurredAt":"2026-11-29T08:00:00+08:00","source":"console"}""", "location")]
    [InlineData("""{"type":"Flood","title":"x","location":{"lat":23.4,"lon":113.2},"source":"console"}""", "occurredAt")]
    [InlineData("""{"type":"Flood", "title": """, null)]
    public async Task Bad_incident_reports_answer_400_problem_details(string json, string? field)
    {
        var response = await _dispatcher.PostAsync("/api/v1/incidents", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await Expect(response, HttpStatusCode.BadRequest);
        if (field is not null) Assert.Contains($"\"{field}\"", text);
    }

    /// <summary>
    /// A commander's level set below what the figures grade stands until figures grade more severe than they did (the
    /// typhoon-night tester's F2, thirty-first session: the next radio count, one injured, put the level back up each time).
    /// </summary>
    [Fact]
    public async Task A_level_the_commander_set_below_the_figures_is_not_raised_again_by_figures_grading_the_same()
    {
        var incident = await Create(NewIncident(IncidentType.Flood, 23.40, 113.22, new { affected = 1600, relocated = 1514 }));
        Assert.Equal(ResponseLevel.III, incident.ResponseLevel);
        var commander = _node.ClientAs(Roles.Commander);
        var held = await Ok<Incident>(await commander.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level",
            new { level = "IV", reason = "all evacuees housed; the district bureau runs the rest" }));
        Assert.Equal(ResponseLevel.IV, held.ResponseLevel);
        var timeline = await _dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Contains(timeline, e => e.Kind == "LevelHeld");
        // The report deadline in district time, to the second (it was UTC with seven decimals: the typhoon-night tester's F7).
        Assert.Matches(@"report upward by \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", timeline.Last(e => e.Kind == "LevelChanged").Summary);

        var counted = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { injured = 1 }));
        Assert.Equal(ResponseLevel.IV, counted.ResponseLevel);
        var worse = await Ok<Incident>(await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { affected = 12500, relocated = 12000 }));
        Assert.Equal(ResponseLevel.II, worse.ResponseLevel);
    }

    [Fact]
    public async Task Unknown_incident_is_404_and_the_response_plans_are_readable()
    {
        await Expect(await _dispatcher.GetAsync("/api/v1/incidents/INC-20260101-NOPE0000"), HttpStatusCode.NotFound);
        await Expect(await _dispatcher.PostAsJsonAsync("/api/v1/incidents/INC-20260101-NOPE0000/transitions", new { to = "Verified", reason = "x" }), HttpStatusCode.NotFound);
        var plans = await _dispatcher.GetOk<List<ResponsePlanEntry>>("/api/v1/response-plans");
        Assert.Equal(Enum.GetValues<IncidentType>().Length * 4, plans.Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await _dispatcher.PutAsJsonAsync("/api/v1/response-plans", plans)).StatusCode);

        // An admin replaces the plans: Landslide IV now also needs a drone team; an invalid set is refused whole.
        var admin = _node.ClientAs(Roles.Admin);
        var edited = plans.Select(p => p.Type == IncidentType.Landslide && p.Level == ResponseLevel.IV
            ? p with { Modules = [.. p.Modules, new ModuleRequirement { Capability = Capability.DroneReconnaissance, Count = 1 }] }
            : p).ToList();
        await Ok<List<ResponsePlanEntry>>(await admin.PutAsJsonAsync("/api/v1/response-plans", edited, DispatchJson.Options));
        var landslide = await Create(NewIncident(IncidentType.Landslide, 23.452, 113.305));
        Assert.Contains(landslide.RequiredModules, m => m.Capability == Capability.DroneReconnaissance);
        var invalid = edited.Select(p => p with { Modules = [new ModuleRequirement { Capability = Capability.Medical, Count = 0 }] }).ToList();
        await Expect(await admin.PutAsJsonAsync("/api/v1/response-plans", invalid, DispatchJson.Options), HttpStatusCode.BadRequest);
        Assert.Equal(edited.Count, (await _dispatcher.GetOk<List<ResponsePlanEntry>>("/api/v1/response-plans")).Count);
    }
}
