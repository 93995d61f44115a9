using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// The 3-hour promise judged by the durable reminder with the real clock: an incident that occurred 2 h 59 min 40 s ago has its
/// relief deadline 20 s away. Nothing is delivered, so the demand is AtRisk at once and Breached at the deadline, and the
/// reporting agency's webhook receives ReliefAtRisk then ReliefBreached.
/// </summary>
public sealed class ReliefDeadlineTests
{
    [Fact]
    public async Task Undelivered_relief_is_at_risk_then_breached_at_the_deadline_and_the_agency_is_told()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, receiver.Url("relief"), ["ReliefAtRisk", "ReliefBreached"], hookId: "relief");

        var occurredAt = DateTimeOffset.UtcNow - TimeSpan.FromHours(3) + TimeSpan.FromSeconds(20);
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var incident = await Webhooks.Expect<Incident>(await police.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title = "Village cut off by water", location = new { lat = 23.452, lon = 113.305 },
            occurredAt, assessment = new { affected = 60, relocated = 20 },
        }), HttpStatusCode.Created);

        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var relief = await WaitFor(dispatcher, incident.Id, r => r.Status == ReliefStatus.Breached, TimeSpan.FromSeconds(90));
        Assert.Equal(occurredAt.AddHours(3), relief.Deadline);
        Assert.Contains(relief.Alerts, a => a.StartsWith("AtRisk", StringComparison.Ordinal));
        Assert.Contains(relief.Alerts, a => a.StartsWith("Breached", StringComparison.Ordinal));

        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.Equal(1, kpi.Breaches);
        Assert.Equal(0, kpi.RelievedWithin3h);

        // ?since= keeps the incidents due at or after it, and the alerts raised at or after it.
        string Since(DateTimeOffset at) => Uri.EscapeDataString(at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
        Assert.Contains((await dispatcher.GetOk<ReliefKpi>($"/api/v1/kpi/relief?since={Since(relief.Deadline.AddMinutes(-1))}")).Incidents, i => i.IncidentId == incident.Id);
        var later = await dispatcher.GetOk<ReliefKpi>($"/api/v1/kpi/relief?since={Since(relief.Deadline.AddMinutes(1))}");
        Assert.DoesNotContain(later.Incidents, i => i.IncidentId == incident.Id);
        Assert.Equal(0, later.Breaches);
        var breachedAt = (await dispatcher.GetOk<List<ReliefAlert>>($"/api/v1/relief/alerts?incidentId={incident.Id}")).First(a => a.Kind == ReliefAlertKind.Breached).At;
        var sinceBreach = await dispatcher.GetOk<List<ReliefAlert>>($"/api/v1/relief/alerts?incidentId={incident.Id}&since={Since(breachedAt)}");
        Assert.Equal([ReliefAlertKind.Breached], sinceBreach.Select(a => a.Kind));
        foreach (var bad in new[] { "yesterday", "2026-12-01T00:00:00" }) // no offset: whose midnight?
        {
            var response = await dispatcher.GetAsync($"/api/v1/kpi/relief?since={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("since", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("relief").Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var events = receiver.Delivered("relief");
        Assert.Equal(["ReliefAtRisk", "ReliefBreached"], events.Select(e => e.EventType));
        Assert.All(events, e => Assert.StartsWith(incident.Id + "/", e.EventId));
        var sequences = events.Select(e => JsonDocument.Parse(e.Body).RootElement.GetProperty("sequence").GetInt64()).ToList();
        Assert.True(sequences[0] < sequences[1], "events out of order");
    }

    /// <summary>
    /// A node whose regional depot mobilises at once, with trucks that load and leave at once, and an incident of 30 affected
    /// people at the depot whose deadline is 25 s away: a convoy can arrive in time (the shipped data's 30 min would not). Returns
    /// once its relief has convoys planned.
    /// </summary>
    private static async Task<(DispatchNode Node, Incident Incident, IncidentRelief Planned)> BesideAnInstantDepot(ReferenceFile reference,
        IReadOnlyDictionary<string, string?>? settings = null, TimeSpan? deadlineIn = null, int mobilisationMinutes = 0)
    {
        var depot = reference.Data["warehouses"]!.AsArray().Single(w => (string?)w!["id"] == "WH-REG")!;
        depot["mobilisationMinutes"] = mobilisationMinutes;
        var at = depot["position"]!;
        await reference.SaveAsync();
        var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>([reference.Setting])
        {
            ["Relief:Planner:Loading"] = "00:00:00", ["Dispatch:TravelTime:Turnout"] = "00:00:00",
        }.Concat(settings ?? new Dictionary<string, string?>()).ToDictionary());
        var occurredAt = DateTimeOffset.UtcNow - TimeSpan.FromHours(3) + (deadlineIn ?? TimeSpan.FromSeconds(25));
        var incident = await Webhooks.Expect<Incident>(await node.ClientAs(Roles.Dispatcher).PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title = "Homes flooded beside the depot", source = "hotline",
            location = new { lat = (double)at["lat"]!, lon = (double)at["lon"]! }, occurredAt, assessment = new { affected = 30 },
        }), HttpStatusCode.Created);
        var planned = await WaitFor(node.ClientAs(Roles.Dispatcher), incident.Id, r => r.Shipments.Any(s => s.Status == ShipmentStatus.Planned), TimeSpan.FromSeconds(15));
        return (node, incident, planned);
    }

    [Fact]
    public async Task A_delivery_that_completes_the_kit_clears_the_reliefs_shortfalls_the_kpis_and_the_city_request_at_once()
    {
        // The depot needs 30 minutes to mobilise and the deadline is 5 minutes away: the plan says TooFar for the whole kit,
        // and late relief sends it all the same. The crew is quicker than planned: it arrives before the deadline (Met).
        using var reference = new ReferenceFile();
        var (node, incident, planned) = await BesideAnInstantDepot(reference, deadlineIn: TimeSpan.FromMinutes(5), mobilisationMinutes: 30);
        await using var running = node;
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var shortfalls = await WaitFor(dispatcher, incident.Id, r => r.Shortfalls.Count > 0, TimeSpan.FromSeconds(15));
        Assert.All(shortfalls.Shortfalls, s => Assert.Equal("TooFar", s.Reason));
        foreach (var convoy in shortfalls.Shipments.Where(s => s.Status == ShipmentStatus.Planned))
            foreach (var status in new[] { "Departed", "Delivered" })
                Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status", new { status })).StatusCode);

        // The next plan (asked for by the delivery, not a minute later by the backstop) has nothing to send: no shortfall left.
        var cleared = await WaitFor(dispatcher, incident.Id, r => r.Shortfalls.Count == 0, TimeSpan.FromSeconds(20));
        Assert.Equal(ReliefStatus.Met, cleared.Status);
        Assert.All(cleared.Needs, n => Assert.True(n.Delivered >= n.Needed, $"{n.ItemCode}: {n.Delivered} of {n.Needed} delivered"));
        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.Equal(0, Assert.Single(kpi.Incidents, i => i.IncidentId == incident.Id).OpenShortfalls);
        var request = await dispatcher.GetAsync($"/api/v1/relief/requests/edxl-rm?incidentId={incident.Id}");
        Assert.DoesNotContain("ResourceInformation", await request.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The promise kept is in the incident's audit trail (no agency is told of this incident: it is recorded all the same).
        var timeline = await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Single(timeline, e => e.Kind == "ReliefMet" && e.Summary.StartsWith("Met", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_reported_late_with_its_time_before_the_deadline_corrects_the_breach_and_the_kpi()
    {
        // A crew radios in after the deadline (or the report is held up by a failover): the delivery counts by its occurredAt.
        using var reference = new ReferenceFile();
        await using var receiver = await WebhookReceiver.StartNewAsync();
        var (node, incident, planned) = await BesideAnInstantDepot(reference, Webhooks.Fast());
        await using var running = node;
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        // An agency the incident is shared with hears of the breach, and then of its correction.
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, receiver.Url("relief"), ["ReliefBreached", "ReliefMet"], hookId: "relief");
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { Webhooks.AgencyId } })).StatusCode);
        var convoys = planned.Shipments.Where(s => s.Status == ShipmentStatus.Planned).ToList();
        foreach (var convoy in convoys)
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status", new { status = "Departed" })).StatusCode);
        var arrivedAt = DateTimeOffset.UtcNow;
        Assert.True(arrivedAt < planned.Deadline, "the convoys left after the deadline: the case this test is about does not arise");

        var breached = await WaitFor(dispatcher, incident.Id, r => r.Status == ReliefStatus.Breached, TimeSpan.FromSeconds(90));
        Assert.Equal(0, breached.PeopleRelievedByDeadline);
        // A time from a device clock an hour ahead: a 400 naming it.
        var refused = await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoys[0].Id}/status", new { status = "Delivered", occurredAt = arrivedAt.AddHours(1) });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.ReadProblem()).GetProperty("errors").TryGetProperty("occurredAt", out _));

        foreach (var convoy in convoys)
        {
            var delivered = await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status", new { status = "Delivered", occurredAt = arrivedAt });
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
            Assert.Equal(arrivedAt, (await delivered.Content.ReadFromJsonAsync<Shipment>(DispatchJson.Options))!.DeliveredAt);
        }

        var met = await WaitFor(dispatcher, incident.Id, r => r.Status == ReliefStatus.Met, TimeSpan.FromSeconds(15));
        Assert.Equal(30, met.PeopleRelievedByDeadline);
        Assert.Contains(met.Alerts, a => a.Contains("corrected from Breached", StringComparison.Ordinal));
        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.Equal((0, 30), (kpi.Breaches, kpi.RelievedWithin3h));
        // At risk (the deadline was 25 s away), the breach and its correction, in that order, in the incident's audit trail.
        var timeline = await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.Equal(["ReliefAtRisk", "ReliefBreached", "ReliefMet"], timeline.Where(e => e.Kind.StartsWith("Relief", StringComparison.Ordinal)).Select(e => e.Kind));

        var until = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("relief").Count < 2 && DateTime.UtcNow < until) await Task.Delay(200);
        var events = receiver.Delivered("relief");
        Assert.Equal(["ReliefBreached", "ReliefMet"], events.Select(e => e.EventType));
        var bodies = events.Select(e => JsonDocument.Parse(e.Body).RootElement).ToList();
        Assert.True(bodies[0].GetProperty("sequence").GetInt64() < bodies[1].GetProperty("sequence").GetInt64(), "events out of order");
        Assert.Contains("corrected from Breached", bodies[1].GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_breached_relief_counts_in_the_kpi_the_people_whose_whole_kit_arrived_by_the_deadline()
    {
        using var reference = new ReferenceFile();
        var (node, incident, planned) = await BesideAnInstantDepot(reference);
        await using var running = node;
        var dispatcher = node.ClientAs(Roles.Dispatcher);

        // The convoys arrive before the deadline, but 9 of the 30 blankets are missing: 21 people have their whole kit.
        Assert.Equal(30, planned.Needs.Single(n => n.ItemCode == "blanket").Needed);
        foreach (var shipment in planned.Shipments.Where(s => s.Status == ShipmentStatus.Planned))
        {
            foreach (var status in new[] { "Loading", "Departed" })
                Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipment.Id}/status", new { status })).StatusCode);
            var received = shipment.Lines.Select(l => new { itemCode = l.ItemCode, quantity = l.ItemCode == "blanket" ? l.Quantity - 9 : l.Quantity });
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipment.Id}/status", new { status = "Delivered", received })).StatusCode);
        }

        // The rest is planned again, but nobody delivers it: at the deadline the relief is Breached, and the KPI counts the 21.
        var relief = await WaitFor(dispatcher, incident.Id, r => r.Status == ReliefStatus.Breached, TimeSpan.FromSeconds(90));
        Assert.Equal(21, relief.Needs.Single(n => n.ItemCode == "blanket").Delivered);
        Assert.Equal(21, relief.PeopleRelievedByDeadline);
        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        var mine = kpi.Incidents.Single(i => i.IncidentId == incident.Id);
        Assert.Equal((30, 21), (mine.Affected, mine.RelievedWithin3h));
        Assert.Equal((1, 21), (kpi.Breaches, kpi.RelievedWithin3h));
    }

    [Fact]
    public async Task A_cancelled_false_alarm_is_neither_judged_nor_counted_and_a_closed_relief_with_its_kit_incomplete_is_not_on_track()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        Task<Incident> Report(DateTimeOffset occurredAt, string title) => Waterlogging(dispatcher, occurredAt, title, 60);
        async Task Move(string id, string to) =>
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/transitions", new { to, reason = "test" })).StatusCode);

        // A false alarm whose deadline is 15 s away, cancelled at once.
        var falseAlarm = await Report(DateTimeOffset.UtcNow - TimeSpan.FromHours(3) + TimeSpan.FromSeconds(15), "Underpass flooded (false alarm)");
        await Move(falseAlarm.Id, "Cancelled");
        // A real one, closed with nothing delivered, long before its deadline.
        var closed = await Report(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5), "Basement flooded");
        foreach (var to in new[] { "Responding", "Contained", "Recovery", "Closed" }) await Move(closed.Id, to);
        var closedRelief = await WaitFor(dispatcher, closed.Id, r => !r.Open, TimeSpan.FromSeconds(15));
        Assert.Equal((ReliefStatus.AtRisk, false), (closedRelief.Status, closedRelief.Withdrawn)); // not "OnTrack": nothing more comes

        // Past the false alarm's deadline (a judgement there comes within a second of it), nothing was judged.
        var cancelledRelief = await WaitFor(dispatcher, falseAlarm.Id, r => !r.Open, TimeSpan.FromSeconds(15));
        var wait = cancelledRelief.Deadline + TimeSpan.FromSeconds(8) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var after = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{falseAlarm.Id}/relief");
        Assert.True(after.Withdrawn);
        Assert.NotEqual(ReliefStatus.Breached, after.Status);
        Assert.DoesNotContain(after.Alerts, a => a.StartsWith("AtRisk", StringComparison.Ordinal) || a.StartsWith("Breached", StringComparison.Ordinal));
        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.DoesNotContain(kpi.Incidents, i => i.IncidentId == falseAlarm.Id);
        Assert.Equal((0, 60L), (kpi.Breaches, kpi.Affected)); // the closed incident's 60 people only
        Assert.Equal(ReliefStatus.AtRisk, Assert.Single(kpi.Incidents).Status);
    }

    [Fact]
    public async Task A_relief_corrected_to_nobody_is_neither_judged_nor_counted_and_is_judged_again_once_people_come_back()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        Task<Incident> Report(DateTimeOffset occurredAt, int affected) => Waterlogging(dispatcher, occurredAt, "Lane flooded", affected);
        async Task Assess(string id, int affected) => Assert.Equal(HttpStatusCode.OK,
            (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/assessments", new { affected, relocated = 0 })).StatusCode);

        // Reported 7 h late with 10 people: breached at once; then the figures are corrected to nobody.
        var late = await Report(DateTimeOffset.UtcNow - TimeSpan.FromHours(7), 10);
        await WaitFor(dispatcher, late.Id, r => r.Status == ReliefStatus.Breached, TimeSpan.FromSeconds(30));
        await Assess(late.Id, 0);
        // Deadlines 15 and 17 s away, 30 people each: AtRisk at once (nothing delivered), which sets the next check at the
        // deadline; then corrected to nobody.
        var corrected = await Report(DateTimeOffset.UtcNow - TimeSpan.FromHours(3) + TimeSpan.FromSeconds(15), 30);
        var back = await Report(DateTimeOffset.UtcNow - TimeSpan.FromHours(3) + TimeSpan.FromSeconds(17), 30);
        foreach (var id in new[] { corrected.Id, back.Id })
        {
            await WaitFor(dispatcher, id, r => r.Alerts.Any(a => a.StartsWith("AtRisk", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
            await Assess(id, 0);
        }

        // Past both deadlines (a judgement comes within a second of one): nothing judged, nothing counted.
        var wait = back.OccurredAt + TimeSpan.FromHours(3) + TimeSpan.FromSeconds(6) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{corrected.Id}/relief");
        Assert.NotEqual(ReliefStatus.Breached, relief.Status);
        Assert.DoesNotContain(relief.Alerts, a => a.StartsWith("Met", StringComparison.Ordinal) || a.StartsWith("Breached", StringComparison.Ordinal));
        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.Empty(kpi.Incidents);
        Assert.Equal((0, 0L, 0), (kpi.Breaches, kpi.Affected, kpi.InitialReliefLate));

        // 30 people after all, past the deadline with nothing delivered: judged, and counted.
        await Assess(back.Id, 30);
        var judged = await WaitFor(dispatcher, back.Id, r => r.Status == ReliefStatus.Breached, TimeSpan.FromSeconds(30));
        Assert.Contains(judged.Alerts, a => a.StartsWith("Breached", StringComparison.Ordinal));
        kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.Equal([back.Id], kpi.Incidents.Select(i => i.IncidentId));
        Assert.Equal((1, 30L), (kpi.Breaches, kpi.Affected));
    }

    /// <summary>A waterlogging reported by the hotline, <paramref name="affected"/> people, at one place in the district.</summary>
    private static async Task<Incident> Waterlogging(HttpClient dispatcher, DateTimeOffset occurredAt, string title, int affected)
    {
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title, location = new { lat = 23.452, lon = 113.305 }, occurredAt, source = "hotline",
            assessment = new { affected },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
    }

    private static async Task<IncidentRelief> WaitFor(HttpClient client, string incidentId, Func<IncidentRelief, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        IncidentRelief? last = null;
        while (DateTime.UtcNow < until)
        {
            var response = await client.GetAsync($"/api/v1/incidents/{incidentId}/relief");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                last = (await response.Content.ReadFromJsonAsync<IncidentRelief>(DispatchJson.Options))!;
                if (done(last)) return last;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"relief of {incidentId} did not reach the expected state: {JsonSerializer.Serialize(last, DispatchJson.Options)}");
    }
}
