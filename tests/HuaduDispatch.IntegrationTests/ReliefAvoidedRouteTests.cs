using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using static HuaduDispatch.IntegrationTests.ReliefLifecycleTests;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A convoy cancelled because its road is blocked does not come straight back on the same route: the incident's relief avoids
/// the warehouse until a dispatcher allows it again (README: Avoided routes).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReliefAvoidedRouteTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_convoy_cancelled_for_its_route_is_replanned_from_other_warehouses_until_the_route_is_allowed_again()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        string incidentId, avoided;
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
            {
                type = "Rainstorm", title = "Flooded homes", location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                source = "hotline", assessment = new { affected = 50 },
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            incidentId = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
            Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief");
            var planned = await Eventually(Relief, r => r.Shipments.Any(s => s.Status == ShipmentStatus.Planned), "no convoy planned");
            var convoy = planned.Shipments.First(s => s.Status == ShipmentStatus.Planned);
            avoided = convoy.WarehouseId;

            // avoidRoute and reason go with Cancelled only.
            var wrong = await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status", new { status = "Loading", avoidRoute = true });
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Contains("avoidRoute goes with Cancelled only", await wrong.Content.ReadAsStringAsync());

            var cancelled = await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status",
                new { status = "Cancelled", reason = "Road flooded at the Xinjie bridge", avoidRoute = true });
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            var shipment = (await cancelled.Content.ReadFromJsonAsync<Shipment>(DispatchJson.Options))!;
            Assert.Equal((ShipmentStatus.Cancelled, true, "Road flooded at the Xinjie bridge"), (shipment.Status, shipment.RouteAvoided, shipment.CancelReason));

            // The next plan sends the kit from elsewhere, and never from the avoided warehouse.
            var replanned = await Eventually(Relief, r => r.AvoidedWarehouses.Count == 1
                && r.Shipments.Any(s => s.Status == ShipmentStatus.Planned && s.PlanId > convoy.PlanId), "no re-plan after the cancellation");
            var entry = replanned.AvoidedWarehouses.Single();
            Assert.Equal((avoided, "Road flooded at the Xinjie bridge", "dispatcher", convoy.Id), (entry.WarehouseId, entry.Reason, entry.By, entry.ShipmentId));
            Assert.DoesNotContain(replanned.Shipments, s => s.Status == ShipmentStatus.Planned && s.WarehouseId == avoided);
            var plan = await dispatcher.PostAsync("/api/v1/relief/plan", null);
            Assert.DoesNotContain((await plan.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!.Allocations,
                a => a.IncidentId == incidentId && a.WarehouseId == avoided);

            // Asking for it directly: an unknown warehouse and an over-long reason are refused.
            var unknown = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/relief/avoided-warehouses", new { warehouseId = "WH-NOPE" });
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Contains("no warehouse has the id 'WH-NOPE'", await unknown.Content.ReadAsStringAsync());
            var tooLong = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/relief/avoided-warehouses", new { warehouseId = avoided, reason = new string('x', 501) });
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        }

        // Stored: a node started again on the same database still avoids it. (This node takes any plan that covers as many
        // people, GainPerWithdrawnConvoy 0: at the default 10 the convoys already ordered from the other warehouses would stay,
        // and the allowed warehouse would come back only in a plan that needs it; ReliefPlanInForceTests shows that rule.)
        await using (var node = await DispatchNode.StartAsync(cs, new Dictionary<string, string?> { ["Relief:Planner:GainPerWithdrawnConvoy"] = "0" }))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief");
            Assert.Equal([avoided], (await Relief()).AvoidedWarehouses.Select(a => a.WarehouseId));

            // An id that is no warehouse is a 400 (before, a 200 that left the real one avoided).
            var typo = await dispatcher.DeleteAsync($"/api/v1/incidents/{incidentId}/relief/avoided-warehouses/{avoided.ToLowerInvariant()}");
            Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
            Assert.Contains($"no warehouse has the id '{avoided.ToLowerInvariant()}'", await typo.Content.ReadAsStringAsync());

            // Allowed again: the warehouse is back in the plans (it is the nearest holder, as in the first plan).
            var allowed = await dispatcher.DeleteAsync($"/api/v1/incidents/{incidentId}/relief/avoided-warehouses/{avoided}");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Empty((await allowed.Content.ReadFromJsonAsync<IncidentRelief>(DispatchJson.Options))!.AvoidedWarehouses);
            await Eventually(async () =>
            {
                var replan = await dispatcher.PostAsync("/api/v1/relief/plan", null);
                return (await replan.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!;
            }, p => p.Allocations.Any(a => a.IncidentId == incidentId && a.WarehouseId == avoided), "the allowed warehouse is not planned again");
        }
    }

    [Fact]
    public async Task A_route_is_not_avoided_for_a_withdrawn_relief()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "False alarm", location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source = "hotline", assessment = new { affected = 20 },
        });
        var incidentId = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
        await Eventually(() => dispatcher.GetAsync($"/api/v1/incidents/{incidentId}/relief"), r => r.IsSuccessStatusCode, "no relief demand");
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/transitions", new { to = "Cancelled", reason = "false alarm" })).StatusCode);
        await Eventually(() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief"), r => r.Withdrawn, "the relief is not withdrawn");

        var refused = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/relief/avoided-warehouses", new { warehouseId = "WH-REG" });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("withdrawn", await refused.Content.ReadAsStringAsync());
        Assert.Empty((await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief")).AvoidedWarehouses);
    }
}
