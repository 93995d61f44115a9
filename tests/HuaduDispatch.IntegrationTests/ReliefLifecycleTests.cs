using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>A relief demand's life after its first plan: more people after it was met, and an incident that stops needing relief.</summary>
public sealed class ReliefLifecycleTests
{
    /// <summary>Reads until <paramref name="ready"/> (every 100 ms, at most 15 s); a timeout names <paramref name="what"/> and the last read.</summary>
    internal static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> ready, string what)
    {
        T last = default!;
        for (var i = 0; i < 150; i++)
        {
            last = await read();
            if (ready(last)) return last;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what}; last: {System.Text.Json.JsonSerializer.Serialize(last, DispatchJson.Options)}");
    }

    private static async Task<Incident> Report(HttpClient dispatcher, double lat, double lon, int affected)
    {
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "Flooded homes", location = new { lat, lon }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source = "hotline", assessment = new { affected },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
    }

    [Fact]
    public async Task A_relief_met_before_the_deadline_opens_again_when_more_people_are_reported_and_is_planned_for_them()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = await Report(dispatcher, 23.40, 113.22, affected: 50);
        Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");

        var planned = await Eventually(Relief, r => r.Shipments.Any(s => s.Status == ShipmentStatus.Planned), "no convoy planned");
        foreach (var shipment in planned.Shipments.Where(s => s.Status == ShipmentStatus.Planned))
            foreach (var status in new[] { "Loading", "Departed", "Delivered" })
                Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipment.Id}/status", new { status })).StatusCode);
        var met = await Relief();
        Assert.Equal(ReliefStatus.Met, met.Status);
        var firstPlan = planned.Shipments.Max(s => s.PlanId);

        // A repeated Delivered (a retry) tells the relief again, and the delivery still counts once.
        var again = planned.Shipments.First(s => s.Status == ShipmentStatus.Planned);
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{again.Id}/status", new { status = "Delivered" })).StatusCode);
        Assert.Equal(met.Needs.Select(n => (n.ItemCode, n.Delivered)), (await Relief()).Needs.Select(n => (n.ItemCode, n.Delivered)));

        // The assessment rises to 400 people: 350 more need the kit, and they get a plan of their own.
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { affected = 400 })).StatusCode);
        var reopened = await Eventually(Relief, r => r.Shipments.Any(s => s.Status == ShipmentStatus.Planned && s.PlanId > firstPlan), "nothing planned for the 350 more");
        Assert.NotEqual(ReliefStatus.Met, reopened.Status);
        Assert.Equal(400, reopened.Affected);
        Assert.Contains(reopened.Needs, n => n.Delivered < n.Needed && n.Delivered + n.Planned >= n.Needed);
        // The KPI counts the 50 whose whole kit has arrived, not the 350 still waiting (nor, as before 2026-12-03, nobody).
        var kpi = (await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief")).Incidents.Single(i => i.IncidentId == incident.Id);
        Assert.Equal((400, 50), (kpi.Affected, kpi.RelievedWithin3h));
        Assert.Equal(50, reopened.PeopleRelievedByDeadline);
    }

    [Fact]
    public async Task A_convoy_whose_load_a_new_assessment_changes_is_amended_under_its_id_and_keeps_its_departure()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = await Report(dispatcher, 23.40, 113.22, affected: 50);
        Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        var before = (await Eventually(Relief, r => r.Shipments.Any(s => s.Status == ShipmentStatus.Planned), "no convoy planned")).Shipments;
        Assert.All(before, s => Assert.NotNull(s.MobilisedSince));

        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { affected = 60 })).StatusCode);
        static long Units(Shipment s) => s.Lines.Sum(l => l.Quantity);
        var after = (await Eventually(Relief, r => r.Shipments.Sum(Units) > before.Sum(Units), "nothing planned for the 10 more")).Shipments;

        // The warehouses and their warehouse staff keep the orders they have: each earlier convoy is still listed under its id,
        // still Planned, and one carries more, leaving when it would have (its warehouse has been mobilising since the first
        // order). GET /shipments/{id} shows the same.
        Assert.All(before, b => Assert.Contains(after, a => a.Id == b.Id && a.Status == ShipmentStatus.Planned));
        var amended = after.Where(a => before.Any(b => b.Id == a.Id && Units(a) > Units(b))).ToList();
        Assert.NotEmpty(amended);
        foreach (var convoy in amended)
        {
            var earlier = before.Single(b => b.Id == convoy.Id);
            Assert.True(convoy.PlanId > earlier.PlanId);
            Assert.Equal((earlier.Departure, earlier.MobilisedSince), (convoy.Departure, convoy.MobilisedSince));
            var read = await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{convoy.Id}");
            Assert.Equal(Units(convoy), Units(read));
        }
        Assert.DoesNotContain((await dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan")).Allocations,
            a => a.IncidentId == incident.Id && !after.Any(s => s.Id == a.ShipmentId));

        // The warehouse sees the same orders, under the same ids: the convoys it is to load and send, until they depart.
        var order = amended[0];
        Task<List<Shipment>> Orders() => dispatcher.GetOk<List<Shipment>>($"/api/v1/warehouses/{order.WarehouseId}/shipments");
        var listed = Assert.Single(await Orders(), s => s.Id == order.Id);
        Assert.Equal((ShipmentStatus.Planned, Units(order)), (listed.Status, Units(listed)));
        Assert.All(await Orders(), s => Assert.Equal(order.WarehouseId, s.WarehouseId));
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{order.Id}/status", new { status = "Loading" })).StatusCode);
        Assert.Equal(ShipmentStatus.Loading, Assert.Single(await Orders(), s => s.Id == order.Id).Status);
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{order.Id}/status", new { status = "Departed" })).StatusCode);
        Assert.DoesNotContain(await Orders(), s => s.Id == order.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await dispatcher.GetAsync("/api/v1/warehouses/WH-NOPE/shipments")).StatusCode);
    }

    [Fact]
    public async Task A_shortfall_is_alerted_once_while_it_stays_the_same_and_cleared_when_the_incident_no_longer_needs_relief()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = await Report(dispatcher, 23.40, 113.22, affected: 20000); // far more than the district's trucks can serve
        Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        await Eventually(Relief, r => r.Shortfalls.Count > 0, "no shortfall");
        var before = await dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");

        // Planning again with nothing changed gives the same shortfalls: the dispatchers are not alerted again.
        async Task<int> ShortfallAlerts() => (await dispatcher.GetOk<List<ReliefAlert>>($"/api/v1/relief/alerts?incidentId={incident.Id}"))
            .Count(a => a.Kind == ReliefAlertKind.Shortfall);
        var alerts = await ShortfallAlerts();
        Assert.Equal(1, alerts);
        var convoysBefore = (await Relief()).Shipments.Select(s => s.Id).Order().ToList();
        for (var i = 0; i < 2; i++)
        {
            var again = await dispatcher.PostAsync("/api/v1/relief/plan", null);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            before = (await again.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!;
        }
        Assert.Equal(alerts, await ShortfallAlerts());
        // Nor does the relief's convoy list grow or change: each new plan sends the same, so it keeps the convoys in force, with
        // their ids, rather than withdrawing them and issuing the same orders again under new ids.
        var listed = (await Relief()).Shipments;
        Assert.NotEmpty(listed);
        Assert.Equal(convoysBefore, listed.Select(s => s.Id).Order());
        Assert.All(listed, s => Assert.Equal(ShipmentStatus.Planned, s.Status));
        Assert.Equal(convoysBefore, before.Allocations.Where(a => a.IncidentId == incident.Id).Select(a => a.ShipmentId).Distinct().Order());

        var cancelled = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to = "Cancelled", reason = "duplicate of another report" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        var plan = await Eventually(() => dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan"), p => p.PlanId > before.PlanId, "no new plan");
        Assert.Equal(0, plan.Demands);
        var relief = await Relief();
        Assert.Empty(relief.Shortfalls);
        Assert.False(relief.Open);
        Assert.Empty(relief.Shipments); // its convoys were only planned: withdrawn, they leave the list (GET /shipments/{id} keeps them)
        // Cancelled as a duplicate: withdrawn, and left out of the KPIs (its people count in the incident it duplicates).
        Assert.True(relief.Withdrawn);
        Assert.DoesNotContain((await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief")).Incidents, i => i.IncidentId == incident.Id);
    }

    [Fact]
    public async Task Relocated_people_without_a_shelter_place_get_one_as_soon_as_a_shelter_has_room_again_with_nobody_asking()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var (shelters, incident) = await VillageWithEveryShelterFull(dispatcher);

        // 30 people go home from a shelter on the other side of the district: the head count is reported, and 30 of the
        // village's people are placed there.
        var far = shelters.OrderByDescending(s => Math.Abs(s.Position.Lat - 23.40) + Math.Abs(s.Position.Lon - 113.22)).First();
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{far.Id}/occupancy", new { occupancy = far.Capacity - 30 })).StatusCode);
        var placed = await Eventually(() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief"),
            r => r.Shelters.Count > 0, "the relocated people placed in the shelter with room");
        Assert.Equal(new Dictionary<string, int> { [far.Id] = 30 }, placed.Shelters);
        Assert.Contains(placed.Alerts, a => a.StartsWith("ShelterShort: 20 relocated people still have no shelter place", StringComparison.Ordinal));
        var shelterNow = await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{far.Id}");
        Assert.Equal((far.Capacity, 30), (shelterNow.Occupancy, shelterNow.Admitted[incident.Id]));
    }

    [Fact]
    public async Task Relocated_people_without_a_shelter_place_are_placed_when_a_dispatcher_opens_a_closed_shelter_again()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var (shelters, incident) = await VillageWithEveryShelterFull(dispatcher);

        // A shelter empties and is closed (its roof is being checked): still nobody placed there.
        var far = shelters.OrderByDescending(s => Math.Abs(s.Position.Lat - 23.40) + Math.Abs(s.Position.Lon - 113.22)).First();
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{far.Id}/occupancy", new { occupancy = 0, open = false })).StatusCode);
        // The roof is fine: opened again, and the village's people are placed there with nobody asking.
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{far.Id}/occupancy", new { open = true })).StatusCode);
        var placed = await Eventually(() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief"),
            r => r.Shelters.Count > 0, "the relocated people placed in the reopened shelter");
        Assert.Equal(new Dictionary<string, int> { [far.Id] = Math.Min(50, far.Capacity) }, placed.Shelters);
    }

    [Fact]
    public async Task Relocated_people_without_a_shelter_place_are_placed_in_a_shelter_a_reference_data_reload_adds_with_nobody_asking()
    {
        using var reference = new ReferenceFile();
        await reference.SaveAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>([reference.Setting]));
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var (_, incident) = await VillageWithEveryShelterFull(dispatcher);

        // The town opens its sports hall beside the village as a shelter: the administrator adds it to the file and reloads.
        reference.Data["shelters"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = "S-HALL-TEMP", ["nameZh"] = "临时避难体育馆", ["nameEn"] = "Sports hall (temporary shelter)", ["kind"] = "Gymnasium",
            ["areaId"] = "xinhua", ["position"] = new System.Text.Json.Nodes.JsonObject { ["lat"] = 23.401, ["lon"] = 113.221 },
            ["capacity"] = 40, ["floorAreaM2"] = 600.0,
        });
        await reference.ReloadAsync(node, "-hall");

        var placed = await Eventually(() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief"),
            r => r.Shelters.Count > 0, "the relocated people placed in the new shelter");
        Assert.Equal(new Dictionary<string, int> { ["S-HALL-TEMP"] = 40 }, placed.Shelters);
        Assert.Contains(placed.Alerts, a => a.StartsWith("ShelterShort: 10 relocated people still have no shelter place", StringComparison.Ordinal));
        var hall = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S-HALL-TEMP");
        Assert.Equal((40, true), (hall.Occupancy, hall.Open));
    }

    /// <summary>
    /// Fills every shelter of the district, then reports a village flood with 50 people relocated: none of them has a place
    /// (a ShelterShort alert for 50).
    /// </summary>
    private static async Task<(List<ShelterLive> Shelters, Incident Incident)> VillageWithEveryShelterFull(HttpClient dispatcher)
    {
        // Every shelter of the district is full.
        var shelters = await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters");
        Assert.True(shelters.Count > 100, $"only {shelters.Count} shelters listed");
        foreach (var shelter in shelters)
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelter.Id}/occupancy", new { occupancy = shelter.Capacity, open = true })).StatusCode);

        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title = "Riverside village evacuated", location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source = "hotline", assessment = new { affected = 50, relocated = 50 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        var unplaced = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        Assert.Empty(unplaced.Shelters);
        Assert.Contains(unplaced.Alerts, a => a.StartsWith("ShelterShort: 50 ", StringComparison.Ordinal));
        return (shelters, incident);
    }
}
