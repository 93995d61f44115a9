using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>The coordinator's record of convoys that hold trucks is in PostgreSQL: after a restart a plan still leaves them out.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReliefFleetDurabilityTests(PostgresServer postgres)
{
    private const string Depot = "WH-REG";

    [Fact]
    public async Task After_a_restart_the_trucks_of_a_loading_convoy_are_still_not_planned_again()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();

        Shipment loading;
        string incidentId;
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
            {
                type = "Flood", title = "Flood by the depot", location = new { lat = 23.378, lon = 113.168 },
                occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline", assessment = new { affected = 20000, relocated = 5000 },
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            incidentId = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
            var plan = await dispatcher.WaitForReliefPlan(p => p.Allocations.Any(a => a.WarehouseId == Depot));
            var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief");
            loading = relief.Shipments.Where(s => s.WarehouseId == Depot && s.PlanId == plan.PlanId).OrderByDescending(s => s.Trucks).First();
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{loading.Id}/status", new { status = "Loading" })).StatusCode);
            // One more plan, so the convoy is no longer in the latest plan: only the coordinator's own record remembers it.
            var next = await dispatcher.PostAsync("/api/v1/relief/plan", null);
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            Assert.DoesNotContain((await next.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!.Allocations, a => a.ShipmentId == loading.Id);
        }

        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var replan = await dispatcher.PostAsync("/api/v1/relief/plan", null);
            Assert.Equal(HttpStatusCode.OK, replan.StatusCode);
            var plan = (await replan.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!;
            Assert.Equal([new TrucksInUse { WarehouseId = Depot, Trucks = loading.Trucks }], plan.TrucksInUse);
            var fleet = (await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{Depot}")).Fleet.Trucks;
            var fromDepot = (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief")).Shipments
                .Where(s => s.WarehouseId == Depot && s.PlanId == plan.PlanId).Sum(s => s.Trucks);
            Assert.True(fromDepot <= fleet - loading.Trucks, $"{fromDepot} trucks planned from {Depot} with {loading.Trucks} of {fleet} loading");
            Assert.Equal(ShipmentStatus.Loading, (await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{loading.Id}")).Status);
        }
    }
}
