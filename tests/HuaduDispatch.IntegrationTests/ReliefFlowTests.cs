using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>Relief logistics end to end through the HTTP API on PostgreSQL: incidents -> plan -> shipments -> delivered -> KPI.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReliefFlowTests(PostgresServer postgres)
{
    private static async Task<T> Ok<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    private static async Task<IncidentRelief> WaitForPlan(HttpClient client, string incidentId, Func<IncidentRelief, bool> ready)
    {
        for (var i = 0; i < 100; i++)
        {
            var response = await client.GetAsync($"/api/v1/incidents/{incidentId}/relief");
            if (response.IsSuccessStatusCode)
            {
                var relief = (await response.Content.ReadFromJsonAsync<IncidentRelief>(DispatchJson.Options))!;
                if (ready(relief)) return relief;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"relief of {incidentId} never became ready");
    }

    /// <summary>
    /// Waits for a plan that covers both demands and whose convoys both incidents' relief lists as Planned. Each report asks for
    /// a re-plan, so the two may be planned one after the other; a convoy the second plan leaves as it is then keeps the id and
    /// plan number the first gave it. A plan read may also be replaced by a later one before the reliefs are read: read all
    /// three again until they agree.
    /// </summary>
    private static async Task<(ReliefPlan Plan, IncidentRelief A, IncidentRelief B)> WaitForJointPlan(HttpClient client, string a, string b)
    {
        async Task<T?> Read<T>(string path) where T : class
        {
            var response = await client.GetAsync(path);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<T>(DispatchJson.Options) : null;
        }
        static bool Lists(ReliefPlan plan, IncidentRelief relief)
        {
            var named = plan.Allocations.Where(x => x.IncidentId == relief.IncidentId).Select(x => x.ShipmentId).Distinct().Count();
            var listed = plan.ConvoysOf(relief);
            return named > 0 && listed.Count == named && listed.All(s => s.Status == ShipmentStatus.Planned);
        }
        ReliefPlan? last = null;
        for (var i = 0; i < 150; i++)
        {
            last = await Read<ReliefPlan>("/api/v1/relief/plan");
            if (last is { Demands: 2 } plan && await Read<IncidentRelief>($"/api/v1/incidents/{a}/relief") is { } reliefA
                && await Read<IncidentRelief>($"/api/v1/incidents/{b}/relief") is { } reliefB && Lists(plan, reliefA) && Lists(plan, reliefB))
                return (plan, reliefA, reliefB);
            await Task.Delay(100);
        }
        throw new TimeoutException($"no plan for both {a} and {b} listed in their relief within 15 s; last plan: {last?.PlanId} with {last?.Demands} demand(s)");
    }

    [Fact]
    public async Task Incidents_with_affected_people_get_a_plan_within_the_deadline_and_delivered_shipments_meet_it()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(cs);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, receiver.Url("relief"), ["ReliefMet"], hookId: "relief");

        async Task<Incident> Report(string title, double lat, double lon, int affected, int relocated) =>
            await Ok<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
            {
                type = "Rainstorm", title, description = "flooded streets", location = new { lat, lon },
                occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10), source = "hotline", assessment = new { affected, relocated },
            }));
        var a = await Report("Waterlogged village, Xinhua", 23.40, 113.22, 200, 50);
        var b = await Report("Flooded homes, Huadong", 23.43, 113.40, 120, 30);
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/shares", new { agencyIds = new[] { Webhooks.AgencyId } })).StatusCode);

        var (plan, reliefA, reliefB) = await WaitForJointPlan(dispatcher, a.Id, b.Id);
        Assert.Equal(a.OccurredAt.AddHours(3), reliefA.Deadline);
        Assert.Contains(reliefA.Needs, n => n.ItemCode == "drinking-water" && n.Needed > 0);
        Assert.Equal(50, reliefA.Shelters.Values.Sum());
        Assert.Equal(ReliefStatus.OnTrack, reliefA.Status);

        Assert.Equal(320, plan.PeopleCovered);
        Assert.Empty(plan.Shortfalls);
        Assert.All(plan.Allocations, x => Assert.True(x.Eta <= (x.IncidentId == a.Id ? reliefA.Deadline : reliefB.Deadline)));

        // The plan's stock is held in the warehouses.
        var warehouseId = reliefA.Shipments[0].WarehouseId;
        var held = await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{warehouseId}");
        Assert.Contains(held.Stock, s => s.Reserved > 0);

        // Every convoy of A loads, departs and arrives complete: A's relief is met.
        foreach (var shipment in plan.ConvoysOf(reliefA))
        {
            foreach (var status in new[] { "Loading", "Departed", "Delivered" })
                await Ok<Shipment>(await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipment.Id}/status", new { status }));
        }
        var met = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{a.Id}/relief");
        Assert.Equal(ReliefStatus.Met, met.Status);
        Assert.All(met.Needs, n => Assert.True(n.Delivered >= n.Needed));
        Assert.NotNull(met.FirstDeliveryAt);
        // The agency A is shared with hears that its relief was met.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("relief").Count == 0 && DateTime.UtcNow < until) await Task.Delay(200);
        var told = Assert.Single(receiver.Delivered("relief"));
        Assert.Equal("ReliefMet", told.EventType);
        Assert.StartsWith(a.Id + "/", told.EventId);

        // B's main convoy (the one with the most items) arrives short: the rest is planned again, on trucks that are not out.
        var firstB = plan.ConvoysOf(reliefB).OrderByDescending(s => s.Lines.Count).First();
        foreach (var status in new[] { "Loading", "Departed" })
            await Ok<Shipment>(await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{firstB.Id}/status", new { status }));
        var line = firstB.Lines[0];
        var delivered = await Ok<Shipment>(await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{firstB.Id}/status",
            new { status = "Delivered", received = new[] { new { itemCode = line.ItemCode, quantity = line.Quantity - 1 } } }));
        Assert.Equal(ShipmentStatus.Delivered, delivered.Status);
        var replanned = await WaitForPlan(dispatcher, b.Id, r => r.Shipments.Any(s => s.Status == ShipmentStatus.Planned && s.PlanId > plan.PlanId
            && s.Lines.Any(l => l.ItemCode == line.ItemCode)));
        Assert.NotEqual(ReliefStatus.Met, replanned.Status);
        // Delivered convoys' trucks are still driving back: the plan says so and does not count on them. The plan is read once
        // it is the one that made the convoy above: the demands hear of a plan's convoys as it commits them, a moment before the
        // coordinator stores the plan, and under load a read in between got the plan before (no truck out yet).
        var madeBy = replanned.Shipments.Where(s => s.Status == ShipmentStatus.Planned && s.PlanId > plan.PlanId).Max(s => s.PlanId);
        var current = await dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");
        for (var i = 0; i < 100 && current.PlanId < madeBy; i++)
        {
            await Task.Delay(100);
            current = await dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");
        }
        Assert.Contains(current.TrucksInUse, t => t.WarehouseId == firstB.WarehouseId && t.Trucks >= firstB.Trucks);

        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        var kpiA = kpi.Incidents.Single(i => i.IncidentId == a.Id);
        Assert.Equal((200, 200, ReliefStatus.Met), (kpiA.Affected, kpiA.RelievedWithin3h, kpiA.Status));
        Assert.NotNull(kpiA.InitialReliefMinutes);
        Assert.Equal(0, kpi.Breaches);

        // Illegal shipment moves and malformed receipts are refused.
        var planned = replanned.Shipments.First(s => s.Status == ShipmentStatus.Planned);
        Assert.Equal(HttpStatusCode.BadRequest, (await dispatcher.PostAsync($"/api/v1/shipments/{planned.Id}/status",
            new StringContent("{\"status\":\"Delivered\",\"received\":[null]}", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{firstB.Id}/status", new { status = "Loading" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dispatcher.PostAsJsonAsync("/api/v1/shipments/SHP-NOPE/status", new { status = "Loading" })).StatusCode);
    }
}
