using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using Npgsql;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A convoy status stored while the incident's relief could not be told of it (its row locked past the command timeout, as a
/// slow database or a dying node does) still reaches the relief. Until the thirty-first session the shipment never told it
/// again: the relief kept the convoy Planned, a re-plan dropped it as replaced, and its load was planned and escalated anew
/// (the relief tester's F1, on a two-node cluster).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ShipmentNoticeTests(PostgresServer postgres)
{
    private static async Task<(string IncidentId, Shipment Convoy)> PlannedConvoy(HttpClient dispatcher, double lat, double lon)
    {
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title = "Village under water", location = new { lat, lon },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline", assessment = new { affected = 120, relocated = 30 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incidentId = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var relief = await dispatcher.GetAsync($"/api/v1/incidents/{incidentId}/relief");
            if (relief.IsSuccessStatusCode && (await relief.Content.ReadFromJsonAsync<IncidentRelief>(DispatchJson.Options))!.Shipments is [var convoy, ..])
            {
                Assert.Equal(ShipmentStatus.Planned, convoy.Status);
                return (incidentId, convoy);
            }
            Assert.True(DateTime.UtcNow < deadline, "no convoy planned within 30 s");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Posts the status while the relief's row is held: the convoy stores it, and answers 200 once the relief has not taken the
    /// notice within a few seconds and the relief-notice reminder will tell it (the change is stored; before the second
    /// verifier's M1 it was a 503 after the call's 30 s timeout).
    /// </summary>
    private static async Task StoredWhileReliefHeld(string cs, HttpClient dispatcher, string incidentId, string shipmentId, string status)
    {
        await using var blocker = new NpgsqlConnection(cs);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM grain_state WHERE state_name = 'relief-demand' AND grain_id_ext = $1 FOR UPDATE", blocker, hold))
        {
            lockRow.Parameters.AddWithValue(incidentId);
            Assert.Equal(1, await lockRow.ExecuteScalarAsync());
        }
        var answer = await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipmentId}/status", new { status });
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        // A read of the convoy does not wait for the relief meanwhile.
        Assert.Equal(status, (await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{shipmentId}")).Status.ToString());
        await hold.RollbackAsync();
        Assert.Equal(status, (await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{shipmentId}")).Status.ToString());
    }

    [Fact]
    public async Task A_loading_the_relief_could_not_be_told_of_reaches_it_afterwards_and_a_replan_meanwhile_keeps_the_convoy()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        await using var node = await DispatchNode.StartAsync(cs + ";Command Timeout=3");
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        async Task<Shipment?> Shown(string incidentId, string shipmentId) =>
            (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief")).Shipments.SingleOrDefault(s => s.Id == shipmentId);

        // The shipment tells the relief again by itself (its relief-notice reminder), nothing else happening.
        var (told, toldConvoy) = await PlannedConvoy(dispatcher, 23.404, 113.2245);
        await StoredWhileReliefHeld(cs, dispatcher, told, toldConvoy.Id, "Loading");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await Shown(told, toldConvoy.Id))?.Status != ShipmentStatus.Loading)
        {
            Assert.True(DateTime.UtcNow < deadline, "the relief was not told of the loading within 90 s");
            await Task.Delay(500);
        }

        // A re-plan made before the relief is told keeps the convoy as the coordinator read it (it dropped it as a Planned
        // convoy the plan replaced, and planned its load again).
        var (replanned, convoy) = await PlannedConvoy(dispatcher, 23.45, 113.30);
        await StoredWhileReliefHeld(cs, dispatcher, replanned, convoy.Id, "Loading");
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsync("/api/v1/relief/plan", null)).StatusCode);
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{replanned}/relief");
        Assert.Equal(ShipmentStatus.Loading, Assert.Single(relief.Shipments, s => s.Id == convoy.Id).Status);
        // ... and counts its load as on the way: nothing of it is planned again or missing (the second verifier's H1).
        foreach (var line in convoy.Lines)
        {
            var need = Assert.Single(relief.Needs, n => n.ItemCode == line.ItemCode);
            Assert.True(need.InTransit >= line.Quantity, $"{line.ItemCode}: {need.InTransit} in transit, the loading convoy carries {line.Quantity}");
            Assert.True(need.InTransit + need.Planned + need.Delivered <= need.Needed,
                $"{line.ItemCode}: ordered twice: {need.InTransit} in transit and {need.Planned} planned for {need.Needed} needed");
        }
        Assert.DoesNotContain(relief.Shortfalls, s => convoy.Lines.Any(l => l.ItemCode == s.ItemCode));
    }
}
