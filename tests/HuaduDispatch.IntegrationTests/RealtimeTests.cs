using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.IntegrationTests;

/// <summary>SignalR hubs end to end: real Kestrel port, real .NET SignalR client, changes made over REST.</summary>
public sealed class RealtimeTests : IAsyncLifetime
{
    private DispatchNode _node = null!;
    private HttpClient _dispatcher = null!;

    private readonly LogCapture _logs = new();

    public async Task InitializeAsync()
    {
        _node = await DispatchNode.StartAsync(connectionString: null, services: s => s.AddSingleton<ILoggerProvider>(_logs));
        _dispatcher = _node.ClientAs(Roles.Dispatcher);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private async Task<Incident> CreateIncident(IncidentType type = IncidentType.RoadTrafficAccident, double lat = 23.40, double lon = 113.22)
    {
        var response = await _dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = type.ToString(), title = "realtime test", description = "", location = new { lat, lon },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), source = "console",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
    }

    /// <summary>Logs of hub calls: the filter's and SignalR's (not the node's start, whose readiness probe may log an Error).</summary>
    private static bool IsHubCall(string category) => category.Contains("DomainHubFilter", StringComparison.Ordinal) || category.StartsWith("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal);

    private static void AssertConsecutive(IReadOnlyList<Delta> deltas, long after)
    {
        Assert.Equal(Enumerable.Range(1, deltas.Count).Select(i => after + i), deltas.Select(d => d.Seq));
    }

    [Fact]
    public async Task Snapshots_hold_relief_convoys_and_shelters_too_so_a_console_restarting_from_one_misses_none_of_them()
    {
        var created = await _dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "flooded homes", location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source = "console", assessment = new { affected = 200, relocated = 50 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        IncidentRelief relief = null!;
        for (var i = 0; i < 100 && relief?.Shipments.Any(s => s.Status == ShipmentStatus.Planned) != true; i++)
        {
            if (i > 0) await Task.Delay(100);
            relief = await _dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        }
        var convoys = relief.Shipments.Where(s => s.Status == ShipmentStatus.Planned).Select(s => s.Id).Order().ToList();
        Assert.NotEmpty(convoys);
        var shelter = Assert.Single(relief.Shelters).Key;

        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        var before = await _dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");
        var district = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
        var after = await _dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");
        var inSnapshot = (ScopeSnapshot s, string kind) => s.Entities.Where(e => e.Kind == kind).ToList();
        // The district plan in brief, as of the snapshot (a re-plan may have come between the two reads).
        var planEntity = Assert.Single(inSnapshot(district, DeltaKinds.ReliefPlan));
        Assert.Equal(ReliefCoordinator.GrainKey, planEntity.Id);
        var summary = System.Text.Json.JsonSerializer.Deserialize<ReliefPlanSummary>((System.Text.Json.JsonElement)planEntity.Data!, DispatchJson.Options)!;
        Assert.InRange(summary.PlanId!.Value, before.PlanId, after.PlanId);
        if (summary.PlanId == after.PlanId)
        {
            Assert.Equal(after.PeopleCovered, summary.PeopleCovered);
            Assert.Equal(after.Allocations.Select(a => a.ShipmentId).Distinct().Count(), summary.Shipments);
            Assert.Equal(after.Shortfalls.Count, summary.Shortfalls);
            Assert.Equal(after.Escalations.Count, summary.Escalations);
        }
        Assert.True(summary.PeopleCovered > 0 && summary.Shipments > 0, $"covered {summary.PeopleCovered}, convoys {summary.Shipments}");
        var reliefEntity = Assert.Single(inSnapshot(district, DeltaKinds.Relief), e => e.Id == incident.Id);
        Assert.Equal(200, ((System.Text.Json.JsonElement)reliefEntity.Data!).GetProperty("affected").GetInt32());
        Assert.Equal(convoys, inSnapshot(district, DeltaKinds.Shipment).Where(e => ((System.Text.Json.JsonElement)e.Data!).GetProperty("incidentId").GetString() == incident.Id)
            .Select(e => e.Id).Order().ToList());
        var shelterEntity = Assert.Single(inSnapshot(district, DeltaKinds.Shelter), e => e.Id == shelter);
        Assert.True(((System.Text.Json.JsonElement)shelterEntity.Data!).GetProperty("occupancy").GetInt32() >= 50);

        var own = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Incident(incident.Id));
        Assert.Single(inSnapshot(own, DeltaKinds.Relief));
        Assert.Equal(convoys, inSnapshot(own, DeltaKinds.Shipment).Select(e => e.Id).Order().ToList());

        // The area scope gets relief and shelters (as its deltas do), not convoys.
        var area = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Area(incident.Location.AreaId!));
        Assert.Contains(inSnapshot(area, DeltaKinds.Relief), e => e.Id == incident.Id);
        Assert.Empty(inSnapshot(area, DeltaKinds.Shipment));
        Assert.Empty(inSnapshot(area, DeltaKinds.ReliefPlan)); // the district plan is the district scope's
        Assert.All(inSnapshot(area, DeltaKinds.Shelter), e => Assert.Equal(incident.Location.AreaId!, ((System.Text.Json.JsonElement)e.Data!).GetProperty("areaId").GetString()));
    }

    [Fact]
    public async Task Snapshots_hold_tasks_and_command_posts_as_their_deltas_do_and_a_command_post_carries_its_teams_and_tasks_as_the_API_does()
    {
        var incident = await CreateIncident(IncidentType.HazmatLeak, 23.39, 113.29);
        Assert.Equal(HttpStatusCode.OK, (await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post", new { commander = "Li Wei" })).StatusCode);
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Incident(incident.Id));

        Assert.Equal(HttpStatusCode.OK, (await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "D02" } })).StatusCode);
        var issued = await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks",
            new { teamId = "D02", title = "Seal the valve", issuedBy = "CommandPost", dueAt = DateTimeOffset.UtcNow.AddMinutes(30) });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var task = (await issued.Content.ReadFromJsonAsync<DispatchTask>(DispatchJson.Options))!;
        var rest = await _dispatcher.GetOk<CommandPost>($"/api/v1/incidents/{incident.Id}/command-post");
        Assert.Equal(("D02", task.Id), (string.Join(",", rest.Teams), Assert.Single(rest.Tasks).Id));

        // The post's push carries its teams and tasks, as GET /command-post shows them.
        var pushed = await console.WaitFor(d => d.Kind == DeltaKinds.CommandPost && HubClient.Data<CommandPost>(d).Tasks.Count == 1);
        var post = HubClient.Data<CommandPost>(pushed);
        Assert.Equal(("D02", task.Id, "Li Wei"), (string.Join(",", post.Teams), post.Tasks[0].Id, post.Commander));

        // A console that starts again from a snapshot has the tasks, and the district's has the command post too.
        var inSnapshot = (ScopeSnapshot s, string kind) => s.Entities.Where(e => e.Kind == kind).ToList();
        var district = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
        var area = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Area(incident.Location.AreaId!));
        var own = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Incident(incident.Id));
        var tasks = (await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Select(t => $"{incident.Id}/{t.Id}").Order().ToList();
        Assert.Equal(2, tasks.Count); // the dispatch's own task, and the post's
        foreach (var snapshot in new[] { district, area, own })
            Assert.Equal(tasks, inSnapshot(snapshot, DeltaKinds.Task).Where(e => HubClient.Data<DispatchTask>(e).IncidentId == incident.Id).Select(e => e.Id).Order().ToList());
        foreach (var snapshot in new[] { district, own })
        {
            var entity = Assert.Single(inSnapshot(snapshot, DeltaKinds.CommandPost), e => e.Id == incident.Id);
            Assert.Equal(("D02", task.Id), (string.Join(",", HubClient.Data<CommandPost>(entity).Teams), Assert.Single(HubClient.Data<CommandPost>(entity).Tasks).Id));
        }
        Assert.Empty(inSnapshot(area, DeltaKinds.CommandPost)); // like its deltas, which go to the district and incident scopes

        // The team is released: the post's next push no longer lists it.
        Assert.Equal(HttpStatusCode.OK, (await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/D02/release", new { reason = "valve sealed" })).StatusCode);
        await console.WaitFor(d => d.Kind == DeltaKinds.CommandPost && d.Scope == Scopes.District && HubClient.Data<CommandPost>(d).Teams.Count == 0);
    }

    [Fact]
    public async Task Tasks_of_different_incidents_with_the_same_task_id_are_distinct_entities_in_the_district_scope()
    {
        // Task ids count per incident: both incidents' first task is task-1. Before the twenty-second session both reached the
        // district scope as {kind: task, id: task-1}, so a console keeping entities by kind and id showed one in the other's place.
        var a = await CreateIncident(lat: 23.41, lon: 113.23);
        var b = await CreateIncident(lat: 23.39, lon: 113.21);
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
        foreach (var (incident, team) in new[] { (a, "T07"), (b, "T08") })
            Assert.Equal(HttpStatusCode.OK, (await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { team } })).StatusCode);

        var deltaA = await console.WaitFor(d => d.Kind == DeltaKinds.Task && HubClient.Data<DispatchTask>(d).IncidentId == a.Id);
        var deltaB = await console.WaitFor(d => d.Kind == DeltaKinds.Task && HubClient.Data<DispatchTask>(d).IncidentId == b.Id);
        Assert.Equal(HubClient.Data<DispatchTask>(deltaA).Id, HubClient.Data<DispatchTask>(deltaB).Id); // both task-1
        Assert.Equal(($"{a.Id}/{HubClient.Data<DispatchTask>(deltaA).Id}", $"{b.Id}/{HubClient.Data<DispatchTask>(deltaB).Id}"), (deltaA.Id, deltaB.Id));

        await using var fresh = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer));
        var snapshot = await fresh.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
        var taskIds = snapshot.Entities.Where(e => e.Kind == DeltaKinds.Task).Select(e => e.Id).ToList();
        Assert.Equal(taskIds.Count, taskIds.Distinct().Count());
        Assert.Contains(deltaA.Id, taskIds);
        Assert.Contains(deltaB.Id, taskIds);
    }

    [Fact]
    public async Task District_console_gets_a_snapshot_then_every_change_as_state_in_sequence()
    {
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        var snapshot = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
        Assert.Equal(26, snapshot.Entities.Count(e => e.Kind == DeltaKinds.Team));
        Assert.Equal(17, snapshot.Entities.Count(e => e.Kind == DeltaKinds.Warehouse));

        var incident = await CreateIncident();
        var created = await console.WaitFor(d => d.Kind == DeltaKinds.Incident && d.Id == incident.Id);
        Assert.Equal("Reported", HubClient.Data(created).GetProperty("status").GetString());
        Assert.Equal(incident.Title, HubClient.Data(created).GetProperty("title").GetString());

        var dispatched = await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "D04" } });
        Assert.Equal(HttpStatusCode.OK, dispatched.StatusCode);
        var team = await console.WaitFor(d => d.Kind == DeltaKinds.Team && d.Id == "D04" && HubClient.Data(d).GetProperty("status").GetString() == "Assigned");
        Assert.Equal(incident.Id, HubClient.Data<RescueTeam>(team).IncidentId);
        await console.WaitFor(d => d.Kind == DeltaKinds.Task && HubClient.Data<DispatchTask>(d).TeamId == "D04");
        await console.WaitFor(d => d.Kind == DeltaKinds.Incident && d.Id == incident.Id && HubClient.Data<Incident>(d).Status == IncidentStatus.Responding);

        // Sequence numbers of the scope go up by exactly one from the snapshot's, with no gap and no repeat.
        AssertConsecutive(console.For(Scopes.District), snapshot.Seq);
    }

    [Fact]
    public async Task A_client_that_reconnects_resyncs_the_missed_deltas_exactly_and_continues_without_a_gap()
    {
        var token = DispatchNode.Token(Roles.Viewer);
        var incident = await CreateIncident();
        var scope = Scopes.Incident(incident.Id);
        long last;
        await using (var first = await HubClient.ConnectAsync(_node, "/hubs/dispatch", token))
        {
            var snapshot = await first.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope);
            Assert.Contains(snapshot.Entities, e => e.Kind == DeltaKinds.Incident && e.Id == incident.Id);
            await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to = "Verified", reason = "confirmed by patrol" });
            var seen = await first.WaitFor(d => d.Kind == DeltaKinds.Incident && HubClient.Data<Incident>(d).Status == IncidentStatus.Verified);
            last = seen.Seq;
        } // the connection drops

        // Changes while disconnected.
        var r1 = await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T02" } });
        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
        var r2 = await _node.ClientAs(Roles.Team, teamId: "T02").PostAsJsonAsync("/api/v1/teams/T02/status", new { status = "EnRoute" });
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);

        await using var second = await HubClient.ConnectAsync(_node, "/hubs/dispatch", token);
        // Deltas are pushed a few milliseconds after the change (one-way, then a coalescing window): on a busy machine that can
        // be seconds, so wait (up to 15 s, not 50 reads 20 ms apart) until the scope has published the team's EnRoute.
        ResyncResult missed = null!;
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            missed = await second.Connection.InvokeAsync<ResyncResult>("Resync", scope, last);
            if (missed.Deltas.Any(d => d.Kind == DeltaKinds.Team && HubClient.Data<RescueTeam>(d).Status == TeamStatus.EnRoute) || DateTime.UtcNow > until) break;
            await Task.Delay(20);
        }
        Assert.Null(missed.Snapshot);
        AssertConsecutive(missed.Deltas, last);
        Assert.Contains(missed.Deltas, d => d.Kind == DeltaKinds.Incident && HubClient.Data<Incident>(d).Status == IncidentStatus.Responding);
        Assert.Contains(missed.Deltas, d => d.Kind == DeltaKinds.Task);

        // Live deltas continue right after the resynced ones.
        var next = missed.Deltas[^1].Seq;
        await _node.ClientAs(Roles.Team, teamId: "T02").PostAsJsonAsync("/api/v1/teams/T02/status", new { status = "OnScene" });
        var live = await second.WaitFor(d => d.Scope == scope && d.Kind == DeltaKinds.Team && HubClient.Data<RescueTeam>(d).Status == TeamStatus.OnScene);
        // Resync rejoined the scope, so a batch on its way at that moment can also arrive live: by the resync rule the client
        // ignores those (seq <= next), and they must be deltas the resync returned. After them the scope goes on at next + 1.
        var received = second.For(scope).ToList();
        Assert.All(received.Where(d => d.Seq <= next), d => Assert.Contains(missed.Deltas, m => m.Seq == d.Seq && m.Kind == d.Kind && m.Id == d.Id));
        var fresh = received.Where(d => d.Seq > next).ToList();
        Assert.Equal(next + 1, fresh.Min(d => d.Seq));
        AssertConsecutive(fresh, next);
        Assert.True(live.Seq > next);
        await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/T02/release", new { reason = "test over" });
    }

    /// <summary>
    /// A scope goes on numbering and sending changes while a console's snapshot is being read, and the snapshot carries the
    /// number the read started at. Consoles that subscribe while every team reports in turn must each end, from snapshot plus
    /// deltas, at every team's reported position, with no gap after the snapshot's number. (A snapshot numbered where its read
    /// ended would make a console skip the reports sequenced after it read the teams.)
    /// </summary>
    [Fact]
    public async Task Consoles_subscribing_during_a_stream_of_reports_each_end_at_the_latest_state_without_a_gap()
    {
        var teamIds = (await _dispatcher.GetFromJsonAsync<List<RescueTeam>>("/api/v1/teams", DispatchJson.Options))!.Select(t => t.Id).ToList();
        // Newer than every team's position, so every report moves its team; and no later than each is sent (one every 10 ms or
        // more, 1 ms apart), since a time ahead of the server's is stored as the server's (see "Report times").
        var start = DateTimeOffset.UtcNow;
        var expected = teamIds.Select((id, i) => (Id: id, Lat: 23.30 + i / 1_000.0, At: start.AddMilliseconds(i))).ToList();
        var stream = Task.Run(async () =>
        {
            foreach (var (id, lat, at) in expected)
            {
                var r = await _node.ClientAs(Roles.Team, teamId: id).PostAsJsonAsync($"/api/v1/teams/{id}/position", new { lat, lon = 113.20, at });
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                await Task.Delay(10);
            }
        });
        var consoles = new List<(HubClient Client, ScopeSnapshot Snapshot)>();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
            {
                await Task.Delay(i * 20);
                var client = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer));
                var snapshot = await client.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
                lock (consoles) consoles.Add((client, snapshot));
            }));
            await stream;

            foreach (var (client, snapshot) in consoles)
            {
                Dictionary<string, TeamPosition> Positions()
                {
                    var positions = snapshot.Entities.Where(e => e.Kind == DeltaKinds.Team)
                        .Select(e => HubClient.Data<RescueTeam>(e))
                        .ToDictionary(t => t.Id, t => t.Position);
                    foreach (var d in client.For(Scopes.District).Where(d => d.Seq > snapshot.Seq).OrderBy(d => d.Seq))
                        if (d.Kind == DeltaKinds.Team) positions[d.Id] = HubClient.Data<RescueTeam>(d).Position;
                    return positions;
                }
                bool Current(Dictionary<string, TeamPosition> p) => expected.All(e => p[e.Id].At == e.At);
                // The last reports' deltas come after the stream's last answer (one-way, then a coalescing window): up to 15 s.
                for (var wait = 0; wait < 300 && !Current(Positions()); wait++) await Task.Delay(50);
                var final = Positions();
                Assert.All(expected, e =>
                {
                    Assert.Equal(e.At, final[e.Id].At);
                    Assert.Equal(e.Lat, final[e.Id].Lat, 9);
                });
                AssertConsecutive([.. client.For(Scopes.District).Where(d => d.Seq > snapshot.Seq).OrderBy(d => d.Seq)], snapshot.Seq);
            }
        }
        finally
        {
            foreach (var (client, _) in consoles) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_surge_of_changes_in_one_scope_is_coalesced_into_few_messages_in_order()
    {
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer));
        var scope = Scopes.Area("tanbu");
        var snapshot = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope);
        var grain = _node.Grains.GetGrain<IScopeGrain>(scope);
        for (var i = 0; i < 100; i++)
            await grain.Publish([new EntityChange { Kind = DeltaKinds.Team, Id = $"surge-{i}", Data = $"n{i}" }]);
        await console.WaitFor(d => d.Id == "surge-99");
        AssertConsecutive(console.For(scope), snapshot.Seq);
        Assert.True(console.Batches < 20, $"100 changes arrived in {console.Batches} messages");
    }

    [Fact]
    public async Task Resync_from_an_unknown_point_returns_a_fresh_snapshot()
    {
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Commander));
        var snapshot = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Area("huashan"));
        var result = await console.Connection.InvokeAsync<ResyncResult>("Resync", Scopes.Area("huashan"), snapshot.Seq + 1000);
        Assert.NotNull(result.Snapshot);
        Assert.Empty(result.Deltas);
        Assert.All(result.Snapshot!.Entities.Where(e => e.Kind == DeltaKinds.Team), e => Assert.Equal("huashan", HubClient.Data<RescueTeam>(e).AreaId));
    }

    [Fact]
    public async Task A_team_receives_its_task_on_the_field_hub_and_acknowledges_it_there()
    {
        await using var radio = await HubClient.ConnectAsync(_node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "D05"));
        var own = await radio.Connection.InvokeAsync<ScopeSnapshot>("Subscribe");
        Assert.Contains(own.Entities, e => e.Kind == DeltaKinds.Team && e.Id == "D05");

        var incident = await CreateIncident(IncidentType.Flood, 23.43, 113.40);
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Incident(incident.Id));
        await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "D05" } });

        var taskDelta = await radio.WaitFor(d => d.Kind == DeltaKinds.Task);
        var task = HubClient.Data<DispatchTask>(taskDelta);
        Assert.Equal("D05", task.TeamId);
        Assert.Equal(DispatchTaskStatus.Issued, task.Status);

        var acked = await radio.Connection.InvokeAsync<DispatchTask>("AcknowledgeTask", incident.Id, task.Id);
        Assert.Equal(DispatchTaskStatus.Acknowledged, acked.Status);
        Assert.Equal($"{incident.Id}/{task.Id}", taskDelta.Id);
        await console.WaitFor(d => d.Kind == DeltaKinds.Task && d.Id == taskDelta.Id && HubClient.Data<DispatchTask>(d).Status == DispatchTaskStatus.Acknowledged);

        var enRoute = await radio.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.EnRoute });
        Assert.Equal(TeamStatus.EnRoute, enRoute.Status);
        // The same rules as REST: Available while assigned is a conflict.
        var e = await Assert.ThrowsAsync<HubException>(() => radio.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.Available }));
        Assert.Contains("409 Conflict", e.Message);
        // A client's refused call is not a server error: nothing is logged at Error for it (SignalR's own log included).
        Assert.DoesNotContain(_logs.Entries, l => l.Level >= LogLevel.Error && (l.Message.Contains("ReportStatus") || l.Exception is HubException));
        await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/D05/release", new { reason = "test over" });
    }

    [Fact]
    public async Task Hubs_refuse_a_missing_token_and_tokens_of_the_wrong_kind()
    {
        var noToken = await Assert.ThrowsAnyAsync<HttpRequestException>(() => HubClient.ConnectAsync(_node, "/hubs/dispatch", null));
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        var consoleOnField = await Assert.ThrowsAnyAsync<HttpRequestException>(() => HubClient.ConnectAsync(_node, "/hubs/field", DispatchNode.Token(Roles.Dispatcher)));
        Assert.Equal(HttpStatusCode.Forbidden, consoleOnField.StatusCode);
        var teamOnDispatch = await Assert.ThrowsAnyAsync<HttpRequestException>(() => HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Team, teamId: "D01")));
        Assert.Equal(HttpStatusCode.Forbidden, teamOnDispatch.StatusCode);

        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer));
        var bad = await Assert.ThrowsAsync<HubException>(() => console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", "team:D01"));
        Assert.Contains("400", bad.Message);
    }

    /// <summary>
    /// Every hub method with arguments at their extremes (null, empty, 4,000 characters, the smallest and largest sequence
    /// numbers and instants, positions off the globe): each call succeeds or is refused with the status the REST API would give,
    /// never a server error, and nothing is logged at Error.
    /// </summary>
    [Fact]
    public async Task Hub_methods_with_extreme_arguments_succeed_or_are_refused_with_a_4xx_never_a_server_error()
    {
        var longText = new string('x', 4000);
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        await using var radio = await HubClient.ConnectAsync(_node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "D07"));
        (HubClient Client, string Method, object?[] Args)[] calls =
        [
            (console, "Subscribe", [null]), (console, "Subscribe", [""]), (console, "Subscribe", [longText]),
            (console, "Subscribe", ["incident:" + longText]), (console, "Subscribe", ["area:"]), (console, "Subscribe", ["incident:"]),
            (console, "Resync", [Scopes.District, long.MinValue]), (console, "Resync", [Scopes.District, long.MaxValue]),
            (console, "Resync", [Scopes.District, -1L]), (console, "Resync", [null, 0L]), (console, "Unsubscribe", [longText]),
            (radio, "Resync", [long.MaxValue]), (radio, "Resync", [long.MinValue]),
            (radio, "ReportPosition", [null]), (radio, "ReportPosition", [new TeamPositionReport { Lat = 90, Lon = 180, At = DateTimeOffset.MinValue }]),
            (radio, "ReportPosition", [new TeamPositionReport { Lat = 1e308, Lon = -1e308 }]),
            (radio, "ReportPosition", [new TeamPositionReport { Lat = 23.4, Lon = 113.2, At = DateTimeOffset.MaxValue }]),
            (radio, "ReportStatus", [null]), (radio, "ReportStatus", [new TeamStatusReport()]),
            (radio, "ReportStatus", [new TeamStatusReport { Status = TeamStatus.OffDuty, OccurredAt = DateTimeOffset.MinValue, Note = longText }]),
            (radio, "ReportStatus", [new TeamStatusReport { Status = TeamStatus.Available, OccurredAt = DateTimeOffset.MaxValue }]),
            (radio, "AcknowledgeTask", [null, null]), (radio, "AcknowledgeTask", ["", ""]), (radio, "AcknowledgeTask", [longText, longText]),
            (radio, "UpdateTask", ["INC-20261204-NONE", "T1", null]),
            (radio, "UpdateTask", ["INC-20261204-NONE", "T1", new TaskUpdateRequest { Status = DispatchTaskStatus.Done, OccurredAt = DateTimeOffset.MinValue }]),
        ];
        var serverErrors = new List<string>();
        foreach (var (client, method, args) in calls)
        {
            try
            {
                await client.Connection.InvokeCoreAsync<object?>(method, args);
            }
            catch (HubException e) when (System.Text.RegularExpressions.Regex.IsMatch(e.Message, @"(^|HubException: )(400|403|404|409) "))
            {
            }
            catch (Exception e)
            {
                serverErrors.Add($"{method}({string.Join(", ", args.Select(a => a?.ToString()?[..Math.Min(40, a.ToString()!.Length)] ?? "null"))}): {e.GetType().Name} {e.Message}");
            }
        }
        Assert.True(serverErrors.Count == 0, string.Join("\n", serverErrors));
        Assert.DoesNotContain(_logs.Entries, l => l.Level >= LogLevel.Error && IsHubCall(l.Category));
        Assert.Equal(HubConnectionState.Connected, console.Connection.State);
        Assert.Equal(HubConnectionState.Connected, radio.Connection.State);
    }

    /// <summary>
    /// Hub arguments are ids and scopes, which become grain keys: PostgreSQL text cannot hold a NUL character, so in PostgreSQL
    /// mode such a key failed the call as a server error. Both hubs refuse it first, as the REST API does in a body.
    /// </summary>
    [Fact]
    public async Task Hub_arguments_holding_a_NUL_character_or_over_4000_characters_are_refused_with_400_and_not_logged_as_errors()
    {
        await using var radio = await HubClient.ConnectAsync(_node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "D06"));
        var ack = await Assert.ThrowsAsync<HubException>(() => radio.Connection.InvokeAsync<DispatchTask>("AcknowledgeTask", "INC-\0", "T1"));
        Assert.Contains("400 Invalid", ack.Message);
        Assert.Contains("NUL", ack.Message);
        await using var console = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        var subscribe = await Assert.ThrowsAsync<HubException>(() => console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", "incident:INC-\0"));
        Assert.Contains("400 Invalid", subscribe.Message);
        // A report's strings have the REST API's limits too: no NUL, at most 4,000 characters.
        var note = await Assert.ThrowsAsync<HubException>(() => radio.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.Available, Note = "a\0b" }));
        Assert.Contains("400 Invalid: report.note", note.Message);
        var longNote = await Assert.ThrowsAsync<HubException>(() => radio.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.Available, Note = new string('x', 4001) }));
        Assert.Contains("400 Invalid: report.note is 4001 characters long", longNote.Message);
        Assert.DoesNotContain(_logs.Entries, l => l.Level >= LogLevel.Error && IsHubCall(l.Category));
        // The connections still work.
        Assert.Equal(Scopes.District, (await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District)).Scope);
    }

    [Theory]
    [InlineData("/hubs/dispatch", Roles.Viewer)]
    [InlineData("/hubs/field", Roles.Team)]
    public async Task A_hub_connection_ends_when_its_token_expires_and_a_fresh_token_connects_again(string hub, string role)
    {
        // A token that runs out in a few seconds (the cut-off is its exp claim: validation's clock skew does not extend an open connection).
        var teamId = role == Roles.Team ? "T09" : null;
        var expiring = DispatchNode.Token(role, teamId, lifetime: TimeSpan.FromSeconds(6)); // time to connect and subscribe on a slow host
        await using var client = await HubClient.ConnectAsync(_node, hub, expiring);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        var snapshot = hub == "/hubs/dispatch"
            ? await client.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District)
            : await client.Connection.InvokeAsync<ScopeSnapshot>("Subscribe");
        Assert.NotEmpty(snapshot.Entities); // open and working before the expiry

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the server closes it once the token has expired
        Assert.Equal(HubConnectionState.Disconnected, client.Connection.State);

        // The client's answer: a fresh token from its identity provider, and Resync (see the resync rule).
        await using var again = await HubClient.ConnectAsync(_node, hub, DispatchNode.Token(role, teamId));
        var resynced = hub == "/hubs/dispatch"
            ? await again.Connection.InvokeAsync<ResyncResult>("Resync", Scopes.District, snapshot.Seq)
            : await again.Connection.InvokeAsync<ResyncResult>("Resync", snapshot.Seq);
        Assert.True(resynced.Snapshot is not null || resynced.Deltas.All(d => d.Seq > snapshot.Seq));
    }

    [Fact]
    public async Task An_agency_subscribes_only_to_incidents_it_reported()
    {
        await _node.RegisterAgenciesAsync("police-110");
        var agency = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var response = await agency.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "RoadTrafficAccident", title = "Collision on the airport expressway", location = new { lat = 23.39, lon = 113.29 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-2),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var own = (await response.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Assert.Equal("police-110", own.Source);
        var other = await CreateIncident();

        await using var client = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Agency, agencyId: "police-110"));
        var snapshot = await client.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Incident(own.Id));
        Assert.Contains(snapshot.Entities, e => e.Id == own.Id);
        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Incident(other.Id)));
        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District));
    }
}
