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

    /// <summary>A flood of 20,000 affected people (5,000 relocated), far more than the district can serve; returns its id.</summary>
    private static async Task<string> ReportFlood(HttpClient dispatcher, string title, double lat, double lon)
    {
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title, location = new { lat, lon },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline", assessment = new { affected = 20000, relocated = 5000 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
    }

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
            incidentId = await ReportFlood(dispatcher, "Flood by the depot", 23.378, 113.168);
            var plan = await dispatcher.WaitForReliefPlan(p => p.Allocations.Any(a => a.WarehouseId == Depot));
            var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief");
            loading = plan.ConvoysOf(relief).Where(s => s.WarehouseId == Depot).OrderByDescending(s => s.Trucks).First();
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
            var fromDepot = plan.ConvoysOf(await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief"))
                .Where(s => s.WarehouseId == Depot).Sum(s => s.Trucks);
            Assert.True(fromDepot <= fleet - loading.Trucks, $"{fromDepot} trucks planned from {Depot} with {loading.Trucks} of {fleet} loading");
            Assert.Equal(ShipmentStatus.Loading, (await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{loading.Id}")).Status);
        }
    }

    [Fact]
    public async Task Trucks_driving_back_when_the_node_stops_are_planned_again_by_the_next_node_once_back_with_nobody_asking()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        // No turnout time, and a flood 33 m from the depot: the drive back takes a few seconds.
        var settings = new Dictionary<string, string?> { ["Dispatch:TravelTime:Turnout"] = "00:00:00" };
        int fleet;
        string floodId;
        ReliefPlan whileOut;
        DateTimeOffset back;
        await using (var node = await DispatchNode.StartAsync(cs, settings))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            fleet = (await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{Depot}")).Fleet.Trucks;
            floodId = await ReportFlood(dispatcher, "Flood at the depot gate", 23.37666, 113.16638);
            var plan = await dispatcher.WaitForReliefPlan(p => p.Allocations.Any(a => a.WarehouseId == Depot));
            Assert.NotEmpty(plan.Shortfalls);
            var convoys = plan.ConvoysOf(await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{floodId}/relief"))
                .Where(s => s.WarehouseId == Depot).ToList();
            Assert.Equal(fleet, convoys.Sum(s => s.Trucks));
            foreach (var convoy in convoys)
                foreach (var status in new[] { "Loading", "Departed", "Delivered" })
                    Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status", new { status })).StatusCode);
            var delivered = (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{floodId}/relief")).Shipments.Where(s => s.WarehouseId == Depot).ToList();
            back = delivered.Max(s => s.DeliveredAt!.Value + (s.Eta - s.Departure));
            var now = await dispatcher.PostAsync("/api/v1/relief/plan", null);
            Assert.Equal(HttpStatusCode.OK, now.StatusCode);
            whileOut = (await now.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!;
            Assert.Equal([new TrucksInUse { WarehouseId = Depot, Trucks = fleet }], whileOut.TrucksInUse);
        }
        Assert.True(DateTimeOffset.UtcNow < back, "the trucks were back before the node stopped: the test did not stop it in time");

        // The next node is only read from: once the trucks are back, its coordinator plans on its own and sends them out again.
        await using var restarted = await DispatchNode.StartAsync(cs, settings);
        var reader = restarted.ClientAs(Roles.Dispatcher);
        var afterReturn = await reader.WaitForReliefPlan(p => p.PlanId > whileOut.PlanId);
        Assert.True(afterReturn.ComputedAt >= back, $"planned at {afterReturn.ComputedAt:O}, trucks back at {back:O}");
        Assert.Empty(afterReturn.TrucksInUse);
        Assert.Equal(fleet, afterReturn.ConvoysOf(await reader.GetOk<IncidentRelief>($"/api/v1/incidents/{floodId}/relief"))
            .Where(s => s.WarehouseId == Depot).Sum(s => s.Trucks));
    }
}
