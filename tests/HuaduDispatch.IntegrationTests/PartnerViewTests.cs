using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// What a partner agency reads of its incident: the case, not the district's staff (<see cref="PartnerView"/>), the same over
/// REST, webhooks, the EIDO export and the console hub. Until the thirty-third session the names of the commander who set a
/// level, the dispatcher who issued a task and whoever wrote a situation report reached partners, and the hub gave an agency
/// every message of its incident's scope as the district's consoles see them, the report upward included.
/// </summary>
public sealed class PartnerViewTests
{
    private const string Commander = "ops-commander-zhang";
    private const string Dispatcher = "dispatcher-wang";

    private static async Task<T> Ok<T>(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(DispatchJson.Options))!;
    }

    private static string Json(object? data) => JsonSerializer.Serialize(data, DispatchJson.Options);

    private static void AssertNamesNoOne(string text, string what)
    {
        Assert.False(text.Contains(Commander, StringComparison.Ordinal), $"{what} names the commander: {text}");
        Assert.False(text.Contains(Dispatcher, StringComparison.Ordinal), $"{what} names the dispatcher: {text}");
    }

    private static bool HasReportUpward(object? data) =>
        data is JsonElement { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("reportUpward", out var r) && r.ValueKind != JsonValueKind.Null;

    [Fact]
    public async Task A_partner_reads_its_incident_without_the_centres_staff_names_or_the_report_upward_over_rest_webhooks_eido_and_the_hub()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, receiver.Url("levels"), ["LevelChanged"], hookId: "levels");
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var commander = node.ClientAs(Roles.Commander, subject: Commander);
        var dispatcher = node.ClientAs(Roles.Dispatcher, subject: Dispatcher);
        var incident = await Ok<Incident>(await police.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title = "Underpass flooded (110 call)", location = new { lat = 23.40, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10), assessment = new { affected = 40, trapped = 2 },
        }));
        var scope = Scopes.Incident(incident.Id);
        await using var staffHub = await HubClient.ConnectAsync(node, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer));
        await using var partnerHub = await HubClient.ConnectAsync(node, "/hubs/dispatch", DispatchNode.Token(Roles.Agency, agencyId: Webhooks.AgencyId));
        await staffHub.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope);
        // The partner subscribes after the console: what came in between is in its snapshot, and deltas follow it (the resync rule).
        var partnerFrom = (await partnerHub.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope)).Seq;

        // The centre works the case: a dispatch (its task issued by the dispatcher), a level set by a commander (which sets up
        // the field command post), a situation report and a report upward.
        await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "F01" } }));
        var set = await Ok<Incident>(await commander.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level = "II", reason = "two villages cut off" }));
        Assert.Equal((ResponseLevel.II, Commander, $"set by {Commander}: two villages cut off"), (set.ResponseLevel, set.LevelSetBy, set.LevelReason));
        Assert.True(set.CommandPost);
        var sitrep = await commander.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/command-post/sitreps", new { kind = "Initial", text = "water 1.2 m in the underpass" });
        Assert.Equal(HttpStatusCode.Created, sitrep.StatusCode);
        var reported = await Ok<Incident>(await commander.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/upward-reports", new { to = "City", reference = "花应急报〔2026〕9号" }));
        Assert.Equal(Commander, reported.ReportUpward!.ReportedBy);
        // A route closed by the dispatcher, and a shelter's note (a verifier's F1 and F2: both named the dispatcher to partners).
        var warehouse = (await dispatcher.GetOk<List<Warehouse>>("/api/v1/warehouses"))[0].Id;
        var avoided = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/relief/avoided-warehouses", new { warehouseId = warehouse, reason = "bridge out" });
        Assert.True(avoided.IsSuccessStatusCode, $"{(int)avoided.StatusCode} {await avoided.Content.ReadAsStringAsync()}");
        var shelter = (await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters"))[0].Id;
        var noted = await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelter}/occupancy", new { occupancy = 5, note = "5 from the hostage case" });
        Assert.True(noted.IsSuccessStatusCode, $"{(int)noted.StatusCode} {await noted.Content.ReadAsStringAsync()}");
        Assert.Equal(Dispatcher, (await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{shelter}")).LastNote!.By);
        Assert.Equal(Dispatcher, Assert.Single((await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief")).AvoidedWarehouses).By);

        // The centre's own reads name them (so the checks below can fail).
        var staffTasks = await dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks");
        Assert.Contains(staffTasks, t => t.IssuedByActor == Dispatcher);
        Assert.Contains(Commander, Json(await dispatcher.GetOk<CommandPost>($"/api/v1/incidents/{incident.Id}/command-post")));

        // REST, as the partner.
        var seen = await police.GetOk<Incident>($"/api/v1/incidents/{incident.Id}");
        Assert.Equal($"set by {PartnerView.Centre}: two villages cut off", seen.LevelReason);
        Assert.Null(seen.LevelSetBy);
        Assert.Null(seen.ReportUpward);
        var tasks = await police.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks");
        Assert.NotEmpty(tasks);
        Assert.All(tasks, t => Assert.Equal(PartnerView.Centre, t.IssuedByActor));
        var task = await police.GetOk<DispatchTask>($"/api/v1/incidents/{incident.Id}/tasks/{tasks[0].Id}");
        Assert.Equal(PartnerView.Centre, task.IssuedByActor);
        var post = await police.GetOk<CommandPost>($"/api/v1/incidents/{incident.Id}/command-post");
        Assert.Equal(PartnerView.Post, Assert.Single(post.SitReps).Actor);
        var relief = await police.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        Assert.Equal((warehouse, PartnerView.Centre, "bridge out"), Assert.Single(relief.AvoidedWarehouses) is var a ? (a.WarehouseId, a.By, a.Reason) : default);
        foreach (var path in new[] { "", "/tasks", "/command-post", "/eido", "/relief" })
            AssertNamesNoOne(await (await police.GetAsync($"/api/v1/incidents/{incident.Id}{path}")).Content.ReadAsStringAsync(), $"GET {path} as the partner");
        Assert.Null((await police.GetOk<ShelterLive>($"/api/v1/shelters/{shelter}")).LastNote);
        AssertNamesNoOne(await (await police.GetAsync("/api/v1/shelters")).Content.ReadAsStringAsync(), "GET /shelters as the partner");
        Assert.DoesNotContain("hostage", await (await police.GetAsync("/api/v1/shelters")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The webhook of the level change.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.Delivered("levels").Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var told = Assert.Single(receiver.Delivered("levels"));
        Assert.Contains($"set by {PartnerView.Centre}: two villages cut off", JsonDocument.Parse(told.Body).RootElement.GetProperty("summary").GetString());
        AssertNamesNoOne(told.Body, "the LevelChanged webhook");

        // The hub: the partner's messages are the staff's, numbered the same, as partners read them.
        await staffHub.WaitFor(d => d.Scope == scope && d.Kind == DeltaKinds.Incident && HasReportUpward(d.Data) &&
            ((JsonElement)d.Data!).GetProperty("reportUpward").TryGetProperty("reportedBy", out var by) && by.GetString() == Commander);
        await staffHub.WaitFor(d => d.Scope == scope && d.Kind == DeltaKinds.Relief && Json(d.Data).Contains("bridge out", StringComparison.Ordinal));
        var last = staffHub.For(scope).Max(d => d.Seq);
        await partnerHub.WaitFor(d => d.Scope == scope && d.Seq == last);
        var staff = staffHub.For(scope).Where(d => d.Seq > partnerFrom).ToList();
        var partner = partnerHub.For(scope).Where(d => d.Seq > partnerFrom).ToList();
        Assert.Equal(staff.Select(d => (d.Seq, d.Kind, d.Id)), partner.Select(d => (d.Seq, d.Kind, d.Id)));
        Assert.Contains(staff, d => Json(d.Data).Contains(Commander, StringComparison.Ordinal));
        Assert.Contains(staff, d => Json(d.Data).Contains(Dispatcher, StringComparison.Ordinal));
        Assert.Contains(partner, d => d.Kind == DeltaKinds.CommandPost && Json(d.Data).Contains(PartnerView.Post, StringComparison.Ordinal));
        Assert.Contains(partner, d => d.Kind == DeltaKinds.Relief && Json(d.Data).Contains("bridge out", StringComparison.Ordinal));
        Assert.All(partner, d => AssertNamesNoOne(Json(d.Data), $"the partner's {d.Kind} delta {d.Seq}"));
        Assert.DoesNotContain(partner, d => HasReportUpward(d.Data));

        // A snapshot and a resync, as the partner.
        var snapshot = await partnerHub.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope);
        Assert.Contains(snapshot.Entities, e => e.Kind == DeltaKinds.CommandPost);
        Assert.All(snapshot.Entities, e => AssertNamesNoOne(Json(e.Data), $"the partner's snapshot {e.Kind}"));
        Assert.DoesNotContain(snapshot.Entities, e => HasReportUpward(e.Data));
        var resync = await partnerHub.Connection.InvokeAsync<ResyncResult>("Resync", scope, 0L);
        AssertNamesNoOne(Json(resync), "the partner's resync");
        var staffSnapshot = await staffHub.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope);
        Assert.Contains(staffSnapshot.Entities, e => HasReportUpward(e.Data));
    }
}
