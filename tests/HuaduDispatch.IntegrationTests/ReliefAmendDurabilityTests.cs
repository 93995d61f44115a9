using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>A convoy a re-plan amends is stored amended, with its reservation, before the plan is acknowledged.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReliefAmendDurabilityTests(PostgresServer postgres)
{
    private static long Units(Shipment s) => s.Lines.Sum(l => l.Quantity);

    [Fact]
    public async Task An_amended_convoy_and_its_reservation_are_stored_and_agree_after_a_restart()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();

        Shipment amended;
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
            {
                type = "Flood", title = "Flood by the depot", location = new { lat = 23.378, lon = 113.168 },
                occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline", assessment = new { affected = 50 },
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var incidentId = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
            Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief");
            var before = (await ReliefLifecycleTests.Eventually(Relief, r => r.Shipments.Any(s => s.Status == ShipmentStatus.Planned), "no convoy planned")).Shipments;

            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/assessments", new { affected = 60 })).StatusCode);
            var after = (await ReliefLifecycleTests.Eventually(Relief, r => r.Shipments.Sum(Units) > before.Sum(Units), "nothing planned for the 10 more")).Shipments;
            amended = after.First(a => before.Any(b => b.Id == a.Id && Units(a) > Units(b)));
            Assert.Equal(before.Single(b => b.Id == amended.Id).Departure, amended.Departure);
        }

        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var stored = await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{amended.Id}");
            Assert.Equal((ShipmentStatus.Planned, amended.PlanId, amended.Departure, amended.MobilisedSince), (stored.Status, stored.PlanId, stored.Departure, stored.MobilisedSince));
            Assert.Equal(amended.Lines.Select(l => (l.ItemCode, l.Quantity)).Order(), stored.Lines.Select(l => (l.ItemCode, l.Quantity)).Order());

            // The warehouse holds exactly what its open convoys carry, item by item: the amendment changed the reservation too.
            var orders = await dispatcher.GetOk<List<Shipment>>($"/api/v1/warehouses/{amended.WarehouseId}/shipments");
            Assert.Contains(orders, o => o.Id == amended.Id);
            var warehouse = await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{amended.WarehouseId}");
            foreach (var line in warehouse.Stock)
                Assert.Equal(orders.SelectMany(o => o.Lines).Where(l => l.ItemCode == line.ItemCode).Sum(l => l.Quantity), line.Reserved);
        }
    }
}
