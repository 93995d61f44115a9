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

/// <summary>An admin changes a webhook endpoint in place: new url, events and secret, the queue kept.</summary>
public sealed class WebhookUpdateTests
{
    private static bool Signed(ReceivedWebhook hook, string secret, bool previous = false)
    {
        var mac = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret),
            System.Text.Encoding.UTF8.GetBytes($"{hook.Timestamp}.{hook.Body}"));
        return (previous ? hook.PreviousSignature : hook.Signature) == "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// A secret rotation keeps the secret replaced signing too (X-Huadu-Signature-Previous) for the overlap, so a receiver that
    /// has not yet changed its secret still verifies the deliveries (the admin tester's L1, thirtieth session: every delivery
    /// until the partner switched was refused and became a dead letter); a rotation for a leaked secret keeps none.
    /// </summary>
    [Fact]
    public async Task A_rotated_secret_signs_alongside_the_new_one_for_the_overlap_unless_the_rotation_drops_it()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        var first = await Webhooks.AddWebhook(admin, receiver.Url("main"), ["LevelChanged"], hookId: "main");
        Assert.Null(first.PreviousSecretFingerprint);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "RoadTrafficAccident", title = "Tanker on its side", location = new { lat = 23.40, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-2), source = Webhooks.AgencyId,
        }), HttpStatusCode.Created);
        async Task<ReceivedWebhook> Level(string level, int count)
        {
            await Webhooks.Expect<Incident>(await admin.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level, reason = "test" }), HttpStatusCode.OK);
            var until = DateTime.UtcNow.AddSeconds(30);
            while (receiver.Delivered("main").Count < count && DateTime.UtcNow < until) await Task.Delay(100);
            Assert.Equal(count, receiver.Delivered("main").Count);
            return receiver.Delivered("main")[^1];
        }

        var before = await Level("III", 1);
        Assert.True(Signed(before, Webhooks.Secret));
        Assert.Null(before.PreviousSignature);

        // Rotated: the new secret signs X-Huadu-Signature, the one replaced X-Huadu-Signature-Previous, for a day.
        const string second = "second-secret-abcdefghijklmnopqrstuvwxyz-0123";
        var rotated = await Webhooks.Expect<WebhookEndpoint>(await admin.PutAsJsonAsync("/api/v1/agencies/police-110/webhooks/main",
            new { url = receiver.Url("main"), events = new[] { "LevelChanged" }, secret = second }), HttpStatusCode.OK);
        Assert.Equal(first.SecretFingerprint, rotated.PreviousSecretFingerprint);
        Assert.InRange(rotated.PreviousSecretUntil!.Value, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        var during = await Level("II", 2);
        Assert.True(Signed(during, second));
        Assert.True(Signed(during, Webhooks.Secret, previous: true));

        // Rotated again because the secret leaked: no overlap, only the newest secret signs.
        const string third = "third-secret-abcdefghijklmnopqrstuvwxyz-01234";
        var dropped = await Webhooks.Expect<WebhookEndpoint>(await admin.PutAsJsonAsync("/api/v1/agencies/police-110/webhooks/main",
            new { url = receiver.Url("main"), events = new[] { "LevelChanged" }, secret = third, keepPreviousSecret = false }), HttpStatusCode.OK);
        Assert.Null(dropped.PreviousSecretFingerprint);
        var after = await Level("I", 3);
        Assert.True(Signed(after, third));
        Assert.Null(after.PreviousSignature);
    }

    [Fact]
    public async Task A_changed_endpoint_gets_later_events_at_its_new_url_signed_with_the_new_secret()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        var before = await Webhooks.AddWebhook(admin, receiver.Url("old"), hookId: "main");

        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var incident = await Webhooks.Expect<Incident>(await police.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "RoadTrafficAccident", title = "Bus overturned", location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-2),
        }), HttpStatusCode.Created);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("old").Count < 1 && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.True(Signed(Assert.Single(receiver.Delivered("old")), Webhooks.Secret));

        const string rotated = "rotated-secret-abcdefghijklmnopqrstuvwxyz-0123";
        var bad = await admin.PutAsJsonAsync("/api/v1/agencies/police-110/webhooks/main", new { url = "ftp://x", events = new[] { "StatusChanged" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/v1/agencies/police-110/webhooks/nope", new { url = receiver.Url("new"), events = new[] { "StatusChanged" } })).StatusCode);
        var changed = await Webhooks.Expect<WebhookEndpoint>(await admin.PutAsJsonAsync("/api/v1/agencies/police-110/webhooks/main",
            new { url = receiver.Url("new"), events = new[] { "StatusChanged" }, secret = rotated }), HttpStatusCode.OK);
        Assert.Equal(receiver.Url("new"), changed.Url);
        Assert.NotEqual(before.SecretFingerprint, changed.SecretFingerprint);

        var dispatcher = node.ClientAs(Roles.Dispatcher);
        await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/response-level", new { level = "III", reason = "many hurt" }), HttpStatusCode.OK);
        await Webhooks.Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to = "Verified", reason = "confirmed" }), HttpStatusCode.OK);
        until = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("new").Count < 1 && DateTime.UtcNow < until) await Task.Delay(100);
        var delivered = Assert.Single(receiver.Delivered("new")); // LevelChanged is no longer subscribed
        Assert.Equal("StatusChanged", delivered.EventType);
        Assert.True(Signed(delivered, rotated));
        Assert.Single(receiver.Delivered("old"));
    }
}
