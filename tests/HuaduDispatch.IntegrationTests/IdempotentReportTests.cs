using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A report retried with the same Idempotency-Key after its response was not kept (the node died before keeping it, and the
/// key's lease ran out) returns the incident the first attempt created instead of creating a second one. Here no response is
/// kept at all (Idempotency:MaxStoredResponseBytes 16), which frees the key after each request as a crash does after the lease.
/// </summary>
public sealed class IdempotentReportTests : IAsyncLifetime
{
    private DispatchNode _node = null!;

    public async Task InitializeAsync() => _node = await DispatchNode.StartAsync(connectionString: null,
        new Dictionary<string, string?> { ["Idempotency:MaxStoredResponseBytes"] = "16" });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_report_run_again_under_the_same_key_returns_the_incident_the_first_run_created()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var key = Guid.NewGuid().ToString();
        var report = HardeningTests.Incident("Trapped in a lift at Xinhua market", externalId: null);

        var first = await HardeningTests.PostWithKey(dispatcher, "/api/v1/incidents", report, key);
        var again = await HardeningTests.PostWithKey(dispatcher, "/api/v1/incidents", report, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed")); // it did run again: nothing was kept
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var (a, b) = ((await first.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!, (await again.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!);
        Assert.Equal(a.Id, b.Id);
        var listed = await dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents");
        Assert.Single(listed, i => i.Title == "Trapped in a lift at Xinhua market");

        // Another request under the same key (a client reusing keys) is not taken for the first: it is a report of its own.
        var other = await HardeningTests.PostWithKey(dispatcher, "/api/v1/incidents", HardeningTests.Incident("Another report"), key);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        // Without a key, two reports are two incidents, as before.
        var plain1 = await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("No key"), DispatchJson.Options);
        var plain2 = await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("No key"), DispatchJson.Options);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (plain1.StatusCode, plain2.StatusCode));
    }

    [Fact]
    public async Task A_stock_movement_run_again_under_the_same_key_is_booked_once()
    {
        var logistics = _node.ClientAs(Roles.Commander);
        var depot = (await logistics.GetOk<List<Warehouse>>("/api/v1/warehouses")).First(w => w.Kind == WarehouseKind.RegionalDepot).Id;
        async Task<long> OnHand() => (await logistics.GetOk<Warehouse>($"/api/v1/warehouses/{depot}")).Stock.Single(e => e.ItemCode == "blanket").OnHand;
        var before = await OnHand();
        var key = Guid.NewGuid().ToString();
        var receipt = new { itemCode = "blanket", quantity = 200, kind = "Receive", reason = "city delivery, note 7" };

        var first = await HardeningTests.PostWithKey(logistics, $"/api/v1/warehouses/{depot}/stock-movements", receipt, key);
        var again = await HardeningTests.PostWithKey(logistics, $"/api/v1/warehouses/{depot}/stock-movements", receipt, key);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, again.StatusCode));
        var (a, b) = ((await first.Content.ReadFromJsonAsync<StockMovement>(DispatchJson.Options))!, (await again.Content.ReadFromJsonAsync<StockMovement>(DispatchJson.Options))!);
        Assert.Equal(a, b); // the same movement, not a second one
        Assert.Equal(before + 200, await OnHand());
        // The same receipt without the key, or under another key, is a movement of its own.
        var other = await HardeningTests.PostWithKey(logistics, $"/api/v1/warehouses/{depot}/stock-movements", receipt, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.Equal(before + 400, await OnHand());
    }
}
