using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using static HuaduDispatch.IntegrationTests.ReliefLifecycleTests;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Relief that cannot keep the 3-hour promise still goes out: best-effort convoys for an incident reported after its deadline,
/// planned from what the plan for the deadline leaves (README: Late relief).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReliefLateTests(PostgresServer postgres)
{
    [Fact]
    public async Task An_incident_reported_after_its_deadline_gets_late_convoys_and_their_delivery_counts_as_initial_relief_not_as_met()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        await using var node = await DispatchNode.StartAsync(cs);
        var dispatcher = node.ClientAs(Roles.Dispatcher);

        // A village cut off since a landslide 4 hours ago is reported only now (the phone lines were down).
        var occurredAt = DateTimeOffset.UtcNow.AddHours(-4);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "Village cut off, homes flooded", location = new { lat = 23.40, lon = 113.22 }, occurredAt,
            source = "hotline", assessment = new { affected = 60 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");

        // Judged Breached at once (its deadline passed an hour ago), and still sent what it needs.
        var relief = await Eventually(Relief, r => r.Status == ReliefStatus.Breached && r.Shipments.Any(s => s.Status == ShipmentStatus.Planned),
            "no late convoy for the incident reported after its deadline");
        Assert.All(relief.Needs, n => Assert.Equal(n.Needed, n.Planned));

        // The plan marks its convoys late and counts their people apart from those relieved by the deadline.
        var plan = await Eventually(() => dispatcher.GetOk<JsonObject>("/api/v1/relief/plan"),
            p => p["allocations"]!.AsArray().Any(a => (string)a!["incidentId"]! == incident.Id), "the plan has no allocation for the incident");
        var lines = plan["allocations"]!.AsArray().Where(a => (string)a!["incidentId"]! == incident.Id).ToList();
        Assert.All(lines, a => Assert.True((bool?)a!["late"] == true, $"not marked late: {a!.ToJsonString()}"));
        Assert.All(lines, a => Assert.True(DateTimeOffset.Parse((string)a!["eta"]!) > relief.Deadline));
        Assert.Equal(0, (int)plan["peopleCovered"]!);
        Assert.Equal(60, (int)plan["peopleCoveredLate"]!);

        // Delivered: the first delivery is the incident's initial relief (past the 6-hour floor it would be late); the 3-hour
        // promise stays breached and nobody counts as relieved within it.
        foreach (var shipment in relief.Shipments.Where(s => s.Status == ShipmentStatus.Planned))
            foreach (var status in new[] { "Loading", "Departed", "Delivered" })
                Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipment.Id}/status", new { status })).StatusCode);
        var delivered = await Relief();
        Assert.All(delivered.Needs, n => Assert.Equal(n.Needed, n.Delivered));
        Assert.Equal(ReliefStatus.Breached, delivered.Status);
        Assert.Equal(0, delivered.PeopleRelievedByDeadline);
        var district = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        var kpi = district.Incidents.Single(i => i.IncidentId == incident.Id);
        Assert.Equal((60, 0L, true), (kpi.Affected, (long)kpi.RelievedWithin3h, kpi.Breached));
        // Reported 4 hours after the disaster: a breach the district learned of only after its deadline.
        Assert.True(kpi.KnownAfterDeadline);
        Assert.True(delivered.KnownAt >= delivered.Deadline);
        Assert.Equal(district.Breaches, district.BreachesKnownAfterDeadline);
        Assert.InRange(kpi.InitialReliefMinutes!.Value, 239, 245);

        // Nothing is left to send: the next plan has nothing for it.
        var after = await dispatcher.PostAsync("/api/v1/relief/plan", null);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.DoesNotContain((await after.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!.Allocations, a => a.IncidentId == incident.Id);
    }

    [Fact]
    public async Task What_late_relief_cannot_find_stays_short_and_the_city_is_asked_for_it_now_not_by_the_past_deadline()
    {
        // No warehouse holds lighting.
        using var reference = new ReferenceFile();
        foreach (var warehouse in reference.Data["warehouses"]!.AsArray())
        {
            var stock = warehouse!["stock"]!.AsArray();
            foreach (var line in stock.Where(l => (string?)l!["itemCode"] == "lighting").ToList()) stock.Remove(line);
        }
        await reference.SaveAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>([reference.Setting]));
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "Village cut off", location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddHours(-4),
            source = "hotline", assessment = new { affected = 30 },
        });
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;

        var relief = await Eventually(() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief"),
            r => r.Status == ReliefStatus.Breached && r.Shortfalls.Any(s => s.ItemCode == "lighting"), "no lighting shortfall for the late incident");
        Assert.Equal("StockShort", relief.Shortfalls.Single(s => s.ItemCode == "lighting").Reason);
        // The rest of the kit is sent anyway as partial kits: nobody counts as relieved, but the water and food do not wait
        // for lamps that nobody has.
        var partial = await Eventually(() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief"),
            r => r.Needs.Where(n => n.ItemCode != "lighting").All(n => n.Planned == n.Needed), "the rest of the kit is not sent as partial kits");
        Assert.Equal(0, partial.Needs.Single(n => n.ItemCode == "lighting").Planned);
        Assert.DoesNotContain(partial.Shortfalls, s => s.Reason == "KitIncomplete");
        var plan = await dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");
        Assert.Equal(partial.Needs.Where(n => n.ItemCode != "lighting").Sum(n => n.Needed), plan.PartialKitUnits);
        Assert.Equal(0, plan.PeopleCoveredLate);

        var before = DateTimeOffset.UtcNow;
        var xml = System.Xml.Linq.XDocument.Parse(await dispatcher.GetStringAsync($"/api/v1/relief/requests/edxl-rm?incidentId={incident.Id}"));
        var times = xml.Descendants().Where(e => e.Name.LocalName == "DateTime" && e.Parent?.Elements().Any(x => x.Name.LocalName == "ScheduleType" && x.Value == "RequestedArrival") == true)
            .Select(e => DateTimeOffset.Parse(e.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(times);
        // Not the deadline an hour ago: now (to the second the message is written in).
        Assert.All(times, t => Assert.True(t >= before.AddSeconds(-2) && t > relief.Deadline, $"requested arrival {t:O}, deadline {relief.Deadline:O}"));
    }
}
