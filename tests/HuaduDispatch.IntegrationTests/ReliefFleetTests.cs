using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// One trip per truck: once a convoy is loading, the next plan does not send its trucks out again (embedded mode, through HTTP).
/// </summary>
public sealed class ReliefFleetTests
{
    private const string Depot = "WH-REG"; // district relief depot, 6 trucks, at 23.37636 N 113.16638 E

    private static async Task Deliver(HttpClient dispatcher, Shipment shipment)
    {
        foreach (var status in new[] { "Loading", "Departed", "Delivered" })
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipment.Id}/status", new { status })).StatusCode);
    }

    private static async Task<Incident> Report(HttpClient dispatcher, string title, double lat, double lon, int affected)
    {
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title, location = new { lat, lon }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline",
            assessment = new { affected, relocated = affected / 4 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
    }

    /// <summary>The convoys <paramref name="plan"/> sends to <paramref name="incidents"/>.</summary>
    private static async Task<List<Shipment>> Shipments(HttpClient dispatcher, ReliefPlan plan, params Incident[] incidents)
    {
        var all = new List<Shipment>();
        foreach (var incident in incidents)
            all.AddRange(plan.ConvoysOf(await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief")));
        return all;
    }

    [Fact]
    public async Task Trucks_of_a_loading_convoy_are_not_planned_again_and_the_plan_says_they_are_in_use()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var fleet = (await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{Depot}")).Fleet.Trucks;

        // A flood next to the depot, far bigger than the district's trucks can serve: the plan uses every truck the depot has.
        var first = await Report(dispatcher, "Flood by the depot", 23.378, 113.168, affected: 20000);
        var plan1 = await dispatcher.WaitForReliefPlan(p => p.Allocations.Any(a => a.IncidentId == first.Id));
        Assert.Empty(plan1.TrucksInUse);
        var fromDepot = (await Shipments(dispatcher, plan1, first)).Where(s => s.WarehouseId == Depot && s.Status == ShipmentStatus.Planned).ToList();
        Assert.Equal(fleet, fromDepot.Sum(s => s.Trucks));

        // One convoy starts loading; a second flood nearby makes the coordinator plan again.
        var loading = fromDepot.OrderByDescending(s => s.Trucks).First();
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{loading.Id}/status", new { status = "Loading" })).StatusCode);
        var second = await Report(dispatcher, "Flood downstream", 23.372, 113.160, affected: 20000);
        var plan2 = await dispatcher.WaitForReliefPlan(p => p.PlanId > plan1.PlanId && p.Demands == 2);

        // The loading convoy's trucks are reported in use and the new plan sends at most the rest of the fleet.
        Assert.Equal([new TrucksInUse { WarehouseId = Depot, Trucks = loading.Trucks }], plan2.TrucksInUse);
        var newFromDepot = (await Shipments(dispatcher, plan2, first, second)).Where(s => s.WarehouseId == Depot).ToList();
        Assert.All(newFromDepot, s => Assert.Equal(ShipmentStatus.Planned, s.Status));
        Assert.Equal(fleet - loading.Trucks, newFromDepot.Sum(s => s.Trucks));
        var stillLoading = (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{first.Id}/relief")).Shipments.Single(s => s.Id == loading.Id);
        Assert.Equal(ShipmentStatus.Loading, stillLoading.Status);

        // Cancelled, the convoy gives its trucks back: the next plan may use the whole fleet again.
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{loading.Id}/status", new { status = "Cancelled" })).StatusCode);
        var plan3 = await dispatcher.WaitForReliefPlan(p => p.PlanId > plan2.PlanId);
        Assert.Empty(plan3.TrucksInUse);
        Assert.Equal(fleet, (await Shipments(dispatcher, plan3, first, second)).Where(s => s.WarehouseId == Depot).Sum(s => s.Trucks));
    }

    [Fact]
    public async Task Trucks_of_a_delivered_convoy_are_out_for_the_drive_back_and_the_coordinator_plans_again_when_they_are_back()
    {
        // No turnout time, and a flood 33 m from the depot: the drive back takes a few seconds (45 m of road at 40 km/h, × 1.6 in a flood).
        await using var node = await DispatchNode.StartAsync(connectionString: null,
            new Dictionary<string, string?> { ["Dispatch:TravelTime:Turnout"] = "00:00:00" });
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var fleet = (await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{Depot}")).Fleet.Trucks;
        var flood = await Report(dispatcher, "Flood at the depot gate", 23.37666, 113.16638, affected: 20000);
        var plan1 = await dispatcher.WaitForReliefPlan(p => p.Allocations.Any(a => a.WarehouseId == Depot));
        var convoys = (await Shipments(dispatcher, plan1, flood)).Where(s => s.WarehouseId == Depot).ToList();
        Assert.Equal(fleet, convoys.Sum(s => s.Trucks));
        Assert.NotEmpty(plan1.Shortfalls); // far more people than the district can serve

        foreach (var convoy in convoys) await Deliver(dispatcher, convoy);
        var delivered = (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{flood.Id}/relief")).Shipments.Where(s => s.WarehouseId == Depot).ToList();
        var back = delivered.Max(s => s.DeliveredAt!.Value + (s.Eta - s.Departure));
        Assert.InRange(back - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));

        // Planned right away, the depot's trucks are still driving back.
        var now = await dispatcher.PostAsync("/api/v1/relief/plan", null);
        Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        var whileOut = (await now.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!;
        Assert.Equal([new TrucksInUse { WarehouseId = Depot, Trucks = fleet }], whileOut.TrucksInUse);
        Assert.DoesNotContain(whileOut.Allocations, a => a.WarehouseId == Depot);

        // Nobody asks again: once they are back the coordinator plans on its own and sends them out again.
        var afterReturn = await dispatcher.WaitForReliefPlan(p => p.PlanId > whileOut.PlanId);
        Assert.True(afterReturn.ComputedAt >= back, $"planned at {afterReturn.ComputedAt:O}, trucks back at {back:O}");
        Assert.Empty(afterReturn.TrucksInUse);
        Assert.Equal(fleet, (await Shipments(dispatcher, afterReturn, flood)).Where(s => s.WarehouseId == Depot).Sum(s => s.Trucks));
    }
}
