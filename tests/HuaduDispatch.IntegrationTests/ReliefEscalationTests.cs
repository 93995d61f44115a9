using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Escalation end to end through HTTP (embedded mode): a lighting shortfall that only an agreement reserve can cover, its request to
/// the city as EDXL-RM, the alert feed, then activating the reserve covers it.
/// </summary>
public sealed class ReliefEscalationTests
{
    private const string Reserve = "WH-AR-02"; // Suihua Electromechanical agreement reserve: lighting 800, 75 min mobilisation
    private static readonly XNamespace Msg = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg";
    private static readonly XNamespace Rm = "urn:oasis:names:tc:emergency:EDXL:RM:1.0";

    [Fact]
    public async Task A_shortfall_only_an_agreement_reserve_can_cover_is_exported_to_the_city_and_covered_once_the_reserve_is_activated()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);

        await IssueAllLighting(dispatcher, keepReserves: true);

        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "Power cut & flooding <Shiling>", description = "no light in the village", location = new { lat = 23.44, lon = 113.15 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline", assessment = new { affected = 300 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;

        // 1. Short of lighting: the plan proposes the reserve and points to the request to the city.
        var shortPlan = await dispatcher.WaitForReliefPlan(p => p.Shortfalls.Any(s => s.IncidentId == incident.Id && s.ItemCode == "lighting"));
        var lightingShort = shortPlan.Shortfalls.Single(s => s.IncidentId == incident.Id && s.ItemCode == "lighting");
        Assert.Equal((100L, "StockShort"), (lightingShort.Missing, lightingShort.Reason));
        Assert.Equal(0, shortPlan.PeopleCovered);
        Assert.Contains(shortPlan.Escalations, e => e.Contains(Reserve) && e.Contains("lighting"));
        Assert.Contains(shortPlan.Escalations, e => e.Contains($"/api/v1/relief/requests/edxl-rm?incidentId={incident.Id}"));

        // 2. The request to the city: one ResourceInformation per shortfall that needs the city (not the KitIncomplete ones).
        var export = await dispatcher.GetAsync($"/api/v1/relief/requests/edxl-rm?incidentId={incident.Id}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/xml", export.Content.Headers.ContentType?.MediaType);
        var xml = XDocument.Parse(await export.Content.ReadAsStringAsync());
        Assert.Equal(Msg + "RequestResource", xml.Root!.Name);
        var resource = Assert.Single(xml.Root.Elements(Msg + "ResourceInformation"));
        Assert.Equal("lighting", resource.Descendants(Msg + "TypeStructure").Single().Element(Rm + "Value")!.Value);
        Assert.Equal("100", resource.Descendants(Rm + "Amount").Single().Value);
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        // In China time, like the message's own time, although the incident was reported with a UTC time.
        Assert.EndsWith("+08:00", resource.Descendants(Msg + "DateTime").Single().Value);
        Assert.EndsWith("+08:00", xml.Root.Element(Msg + "SentDateTime")!.Value);
        var requested = DateTimeOffset.Parse(resource.Descendants(Msg + "DateTime").Single().Value);
        Assert.InRange(relief.Deadline - requested, TimeSpan.Zero, TimeSpan.FromSeconds(1)); // whole seconds, never later than the deadline
        Assert.Equal("Power cut & flooding <Shiling> (Rainstorm)", xml.Root.Descendants(Rm + "IncidentDescription").Single().Value);
        Assert.Equal(HttpStatusCode.NotFound, (await dispatcher.GetAsync("/api/v1/relief/requests/edxl-rm?incidentId=INC-NOPE")).StatusCode);
        var all = XDocument.Parse(await dispatcher.GetStringAsync("/api/v1/relief/requests/edxl-rm"));
        Assert.Single(all.Root!.Elements(Msg + "ResourceInformation"));

        // 3. The dispatcher feed has the shortfall alert.
        var alerts = await dispatcher.GetOk<List<ReliefAlert>>("/api/v1/relief/alerts");
        var shortfallAlert = Assert.Single(alerts, a => a.IncidentId == incident.Id && a.Kind == ReliefAlertKind.Shortfall && a.Text.Contains("lighting"));
        // It names the request to the city for this incident (until the twenty-first session it named a .NET delegate instead).
        Assert.EndsWith($"request to the city: GET /api/v1/relief/requests/edxl-rm?incidentId={incident.Id}", shortfallAlert.Text);
        Assert.True(alerts.Zip(alerts.Skip(1)).All(p => p.First.At >= p.Second.At), "newest first");

        // 4. Activation: a reason is required, only agreement reserves, not twice.
        Assert.Equal(HttpStatusCode.BadRequest, (await dispatcher.PostAsJsonAsync($"/api/v1/warehouses/{Reserve}/activation", new { reason = " " })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-REG/activation", new { reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-NOPE/activation", new { reason = "x" })).StatusCode);
        var activated = await dispatcher.PostAsJsonAsync($"/api/v1/warehouses/{Reserve}/activation", new { reason = "lighting short for " + incident.Id });
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await dispatcher.PostAsJsonAsync($"/api/v1/warehouses/{Reserve}/activation", new { reason = "again" })).StatusCode);
        var reserve = await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{Reserve}");
        Assert.NotNull(reserve.Activation);
        Assert.Equal("lighting short for " + incident.Id, reserve.Activation!.Reason);
        Assert.False(string.IsNullOrEmpty(reserve.Activation.ActivatedBy));

        // 5. The coordinator re-plans with the reserve: everyone covered, lighting from the reserve, nothing left for the city.
        var covered = await dispatcher.WaitForReliefPlan(p => p.PlanId > shortPlan.PlanId && p.Shortfalls.Count == 0 && p.Demands == 1);
        Assert.Equal(300, covered.PeopleCovered);
        var fromReserve = covered.Allocations.Where(a => a.WarehouseId == Reserve && a.ItemCode == "lighting").ToList();
        Assert.Equal(100, fromReserve.Sum(a => a.Quantity));
        Assert.All(fromReserve, a => Assert.True(a.Departure >= covered.ComputedAt.AddMinutes(75 + 20 - 1), "the reserve's 75 min mobilisation applies"));
        Assert.All(covered.Allocations, a => Assert.True(a.Eta <= relief.Deadline));
        Assert.DoesNotContain(covered.Escalations, e => e.Contains(Reserve));
        var after = XDocument.Parse(await dispatcher.GetStringAsync($"/api/v1/relief/requests/edxl-rm?incidentId={incident.Id}"));
        Assert.Empty(after.Root!.Elements(Msg + "ResourceInformation"));

        // 6. The convoys arrive: the relief is met and the feed says so, newest first.
        var planned = covered.ConvoysOf(await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief"))
            .Where(s => s.Status == ShipmentStatus.Planned).ToList();
        Assert.Contains(planned, s => s.WarehouseId == Reserve);
        foreach (var shipment in planned)
            foreach (var status in new[] { "Loading", "Departed", "Delivered" })
                Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{shipment.Id}/status", new { status })).StatusCode);
        var latest = (await dispatcher.GetOk<List<ReliefAlert>>($"/api/v1/relief/alerts?incidentId={incident.Id}"))[0];
        Assert.Equal((incident.Id, ReliefAlertKind.Met), (latest.IncidentId, latest.Kind));

        // 7. Deactivation ends it (409 when not active); the viewer may read but not activate.
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsync($"/api/v1/warehouses/{Reserve}/deactivation", null)).StatusCode);
        Assert.Null((await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{Reserve}")).Activation);
        Assert.Equal(HttpStatusCode.Conflict, (await dispatcher.PostAsync($"/api/v1/warehouses/{Reserve}/deactivation", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await node.ClientAs(Roles.Viewer).PostAsJsonAsync($"/api/v1/warehouses/{Reserve}/activation", new { reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task A_shortfall_is_planned_again_as_soon_as_a_warehouse_receives_the_item_with_nobody_asking()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var shortPlan = await ShortOfLighting(dispatcher);

        // The city answers the request with 100 lamps delivered to the regional depot: received, and planned with nobody asking.
        var received = await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-REG/stock-movements",
            new { itemCode = "lighting", quantity = 100, kind = "Receive", reason = "from the city, answering the EDXL-RM request" });
        Assert.Equal(HttpStatusCode.Created, received.StatusCode);
        var covered = await dispatcher.WaitForReliefPlan(p => p.PlanId > shortPlan.PlanId && p.Shortfalls.Count == 0);
        Assert.Equal(300, covered.PeopleCovered);
        Assert.Equal(100, covered.Allocations.Where(a => a.WarehouseId == "WH-REG" && a.ItemCode == "lighting").Sum(a => a.Quantity));
    }

    [Fact]
    public async Task A_supply_point_added_by_a_reference_data_reload_is_planned_for_a_shortfall_with_nobody_asking()
    {
        using var reference = new ReferenceFile();
        await reference.SaveAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>([reference.Setting]));
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var shortPlan = await ShortOfLighting(dispatcher);

        // A supply point opens in Shiling with 200 lamps and two trucks: the administrator adds it to the file and reloads.
        var depot = reference.Data["warehouses"]!.AsArray().Single(w => (string?)w!["id"] == "WH-REG")!.DeepClone();
        depot["id"] = "WH-SHILING-TEMP";
        depot["nameZh"] = "狮岭临时物资点";
        depot["nameEn"] = "Shiling temporary supply point";
        depot["position"] = new System.Text.Json.Nodes.JsonObject { ["lat"] = 23.45, ["lon"] = 113.16 };
        depot["fleet"] = new System.Text.Json.Nodes.JsonObject { ["trucks"] = 2, ["capacityKg"] = 3000.0, ["capacityM3"] = 20.0 };
        depot["stock"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["itemCode"] = "lighting", ["quantity"] = 200 });
        reference.Data["warehouses"]!.AsArray().Add(depot);
        await reference.ReloadAsync(node, "-shiling");

        var covered = await dispatcher.WaitForReliefPlan(p => p.PlanId > shortPlan.PlanId && p.Shortfalls.Count == 0);
        Assert.Equal(300, covered.PeopleCovered);
        Assert.Equal(100, covered.Allocations.Where(a => a.WarehouseId == "WH-SHILING-TEMP" && a.ItemCode == "lighting").Sum(a => a.Quantity));
    }

    [Fact]
    public async Task An_agreement_reserve_that_cannot_arrive_by_the_deadline_is_not_proposed_for_it()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        await IssueAllLighting(dispatcher, keepReserves: true);

        // Two power cuts in Shiling: one 5 min ago, one whose deadline is 30 min away. The reserve that holds lamps mobilises
        // in 75 min: in time for the first, not for the second.
        var soon = await PowerCutInShiling(dispatcher, TimeSpan.FromMinutes(5));
        var closing = await PowerCutInShiling(dispatcher, TimeSpan.FromMinutes(150));
        var plan = await dispatcher.WaitForReliefPlan(p => new[] { soon.Id, closing.Id }.All(id => p.Shortfalls.Any(s => s.IncidentId == id && s.ItemCode == "lighting")));

        Assert.Contains(plan.Escalations, e => e.StartsWith($"{soon.Id}: activate agreement reserve(s) {Reserve}", StringComparison.Ordinal) && e.Contains("lighting"));
        Assert.Contains(plan.Escalations, e => e.StartsWith($"{closing.Id}: request 100 lighting from the city", StringComparison.Ordinal));
        Assert.DoesNotContain(plan.Escalations, e => e.StartsWith($"{closing.Id}: activate", StringComparison.Ordinal));
    }

    /// <summary>Every warehouse (but the agreement reserves, with <paramref name="keepReserves"/>) issues all its lighting.</summary>
    private static async Task IssueAllLighting(HttpClient dispatcher, bool keepReserves)
    {
        foreach (var w in await dispatcher.GetOk<List<Warehouse>>("/api/v1/warehouses"))
        {
            if ((keepReserves && w.Kind == WarehouseKind.AgreementReserve) || w.Stock.FirstOrDefault(s => s.ItemCode == "lighting") is not { Available: > 0 } lighting) continue;
            var issued = await dispatcher.PostAsJsonAsync($"/api/v1/warehouses/{w.Id}/stock-movements",
                new { itemCode = "lighting", quantity = lighting.Available, kind = "Issue", reason = "lent to the city for the test" });
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        }
    }

    /// <summary>300 people in Shiling need relief, from a power cut that occurred <paramref name="ago"/>.</summary>
    private static async Task<Incident> PowerCutInShiling(HttpClient dispatcher, TimeSpan ago)
    {
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "Power cut in Shiling", location = new { lat = 23.44, lon = 113.15 },
            occurredAt = DateTimeOffset.UtcNow - ago, source = "hotline", assessment = new { affected = 300 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
    }

    /// <summary>
    /// Every warehouse issues all its lighting, then 300 people in Shiling need relief: the plan covers none of them, short of
    /// 100 lamps (StockShort).
    /// </summary>
    private static async Task<ReliefPlan> ShortOfLighting(HttpClient dispatcher)
    {
        await IssueAllLighting(dispatcher, keepReserves: false);
        var incident = await PowerCutInShiling(dispatcher, TimeSpan.FromMinutes(5));
        var plan = await dispatcher.WaitForReliefPlan(p => p.Shortfalls.Any(s => s.IncidentId == incident.Id && s.ItemCode == "lighting"));
        Assert.Equal((100L, "StockShort", 0), (plan.Shortfalls.Single(s => s.ItemCode == "lighting").Missing, plan.Shortfalls.Single(s => s.ItemCode == "lighting").Reason, plan.PeopleCovered));
        return plan;
    }
}
