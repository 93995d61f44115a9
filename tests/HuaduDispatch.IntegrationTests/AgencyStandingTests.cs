using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using Microsoft.AspNetCore.SignalR.Client;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// An agency token counts only for a registered agency an admin has not retired (the administrator's exploratory test, M5:
/// a token for an agency never registered reported incidents, and a partner could not be cut off but by rotating the
/// signing key on every node). In PostgreSQL mode: the retirement is stored and holds after a restart.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AgencyStandingTests(PostgresServer postgres)
{
    private static object Profile(bool? active) => new
    {
        nameZh = "花都区水务局", nameEn = "Huadu Water Affairs Bureau", kind = "WaterAffairs",
        contact = new { name = "Duty officer", phone = "+86 20 3690 0000" }, active,
    };

    private static async Task<string> Detail(HttpResponseMessage response) =>
        (await response.ReadProblem()).GetProperty("detail").GetString() ?? "";

    [Fact]
    public async Task An_agency_token_counts_only_while_its_agency_is_registered_and_not_retired_and_a_retirement_survives_a_restart()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var token = DispatchNode.Token(Roles.Agency, agencyId: "water-affairs");
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var admin = node.ClientAs(Roles.Admin);
            var agency = node.ClientAs(Roles.Agency, agencyId: "water-affairs");

            // Not registered: refused, and the answer says why.
            var ghost = await agency.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Before registration", source: null));
            Assert.Equal(HttpStatusCode.Unauthorized, ghost.StatusCode);
            Assert.Contains("not registered", await Detail(ghost));
            Assert.Empty(await admin.GetOk<List<IncidentSummary>>("/api/v1/incidents"));

            // Registered: the same token counts at once.
            var registered = await admin.PostAsJsonAsync("/api/v1/agencies", new
            {
                id = "water-affairs", nameZh = "花都区水务局", nameEn = "Huadu Water Affairs Bureau", kind = "WaterAffairs",
                contact = new { name = "Duty officer", phone = "+86 20 3690 0000" },
            });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            Assert.True((await admin.GetOk<Agency>("/api/v1/agencies/water-affairs")).Active);
            var created = await agency.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("River bank seepage", source: null));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;

            // Its console follows its incident.
            await using var console = await HubClient.ConnectAsync(node, "/hubs/dispatch", token);
            await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Incident(incident.Id));
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            console.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

            // A profile edit without "active" keeps the agency as it is.
            var edited = await admin.PutAsJsonAsync("/api/v1/agencies/water-affairs", Profile(null));
            Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
            Assert.True((await edited.Content.ReadFromJsonAsync<Agency>(DispatchJson.Options))!.Active);
            Assert.Equal(HttpStatusCode.OK, (await agency.GetAsync($"/api/v1/incidents/{incident.Id}")).StatusCode);

            // Retired: every request is refused, saying so; the open console connection is closed; a new one is refused.
            var retired = await admin.PutAsJsonAsync("/api/v1/agencies/water-affairs", Profile(false));
            Assert.Equal(HttpStatusCode.OK, retired.StatusCode);
            Assert.False((await retired.Content.ReadFromJsonAsync<Agency>(DispatchJson.Options))!.Active);
            var read = await agency.GetAsync($"/api/v1/incidents/{incident.Id}");
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
            Assert.Contains("retired", await Detail(read));
            var report = await agency.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("After retirement", source: null));
            Assert.Equal(HttpStatusCode.Unauthorized, report.StatusCode);
            Assert.Equal(closed.Task, await Task.WhenAny(closed.Task, Task.Delay(TimeSpan.FromSeconds(15))));
            await Assert.ThrowsAnyAsync<Exception>(async () => await HubClient.ConnectAsync(node, "/hubs/dispatch", token));
            Assert.Single(await admin.GetOk<List<IncidentSummary>>("/api/v1/incidents"));
            // The admin still sees it, retired, and its incidents stay.
            Assert.False((await admin.GetOk<List<Agency>>("/api/v1/agencies")).Single(a => a.Id == "water-affairs").Active);
        }

        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var admin = node.ClientAs(Roles.Admin);
            var agency = node.ClientAs(Roles.Agency, agencyId: "water-affairs");
            Assert.Equal(HttpStatusCode.Unauthorized, (await agency.GetAsync("/api/v1/incidents")).StatusCode);
            Assert.False((await admin.GetOk<Agency>("/api/v1/agencies/water-affairs")).Active);

            // Reinstated: the token counts again.
            var reinstated = await admin.PutAsJsonAsync("/api/v1/agencies/water-affairs", Profile(true));
            Assert.True((await reinstated.Content.ReadFromJsonAsync<Agency>(DispatchJson.Options))!.Active);
            var list = await agency.GetAsync("/api/v1/incidents");
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Single((await list.Content.ReadFromJsonAsync<List<IncidentSummary>>(DispatchJson.Options))!);
        }
    }

    [Fact]
    public async Task A_retired_agencys_webhooks_get_nothing_and_events_from_its_retirement_are_not_held_for_it()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin, "fire-119");
        await Webhooks.AddWebhook(admin, receiver.Url("fire"), ["LevelChanged"], hookId: "fire", agencyId: "fire-119");

        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "BuildingFire", title = "Workshop fire", location = new { lat = 23.40, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-3), source = "hotline",
        }), HttpStatusCode.Created);
        await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { "fire-119" } }), HttpStatusCode.OK);
        async Task Level(string level) => Assert.Equal(HttpStatusCode.OK,
            (await admin.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level, reason = "test" })).StatusCode);

        await Level("III");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("fire").Count < 1 && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Single(receiver.Delivered("fire"));

        var profile = new { nameZh = "广州市公安局花都区分局", nameEn = "Huadu Public Security Sub-bureau", kind = "Police", contact = new { name = "Duty officer", phone = "+86 20 8686 0110" } };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/agencies/fire-119", new
        {
            profile.nameZh, profile.nameEn, profile.kind, profile.contact, active = false,
        })).StatusCode);
        await Level("II");
        await Task.Delay(1500); // a few delivery periods (Webhooks.Fast)
        Assert.Single(receiver.Delivered("fire"));
        var deliveries = await admin.GetOk<WebhookDeliveryStatus>("/api/v1/agencies/fire-119/webhooks/fire/deliveries");
        Assert.Equal(0, deliveries.Pending);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/agencies/fire-119", new
        {
            profile.nameZh, profile.nameEn, profile.kind, profile.contact, active = true,
        })).StatusCode);
        await Level("I");
        until = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("fire").Count < 2 && DateTime.UtcNow < until) await Task.Delay(100);
        await Task.Delay(500);
        var levels = receiver.Delivered("fire");
        Assert.Equal(2, levels.Count);
        Assert.Contains("\"I\"", levels[1].Body);
    }
}
