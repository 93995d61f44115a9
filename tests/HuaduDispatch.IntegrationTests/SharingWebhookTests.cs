using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>An agency an incident is shared with receives its events from the share on; an agency it is not shared with gets none.</summary>
public sealed class SharingWebhookTests
{
    [Fact]
    public async Task A_shared_agency_receives_the_incidents_later_events_and_an_unrelated_agency_nothing()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin, "fire-119");
        await Webhooks.AddWebhook(admin, receiver.Url("fire"), hookId: "fire", agencyId: "fire-119");
        await Webhooks.RegisterAgency(admin, "water-affairs");
        await Webhooks.AddWebhook(admin, receiver.Url("water"), hookId: "water", agencyId: "water-affairs");

        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "BuildingFire", title = "Warehouse fire", location = new { lat = 23.40, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-3), source = "hotline",
        }), HttpStatusCode.Created);
        await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { "fire-119" } }), HttpStatusCode.OK);
        await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "D01" } }), HttpStatusCode.OK);

        var until = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("fire").Count < 2 && DateTime.UtcNow < until) await Task.Delay(200);
        var fire = receiver.Delivered("fire");
        Assert.Equal(["TeamsDispatched", "StatusChanged"], fire.Select(e => e.EventType));
        Assert.All(fire, e => Assert.StartsWith(incident.Id + "/", e.EventId));
        await Task.Delay(1000);
        Assert.Empty(receiver.Delivered("water"));
    }
}
