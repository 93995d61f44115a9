using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>Helpers shared by the webhook tests: fast delivery settings, registration, an incident that makes five events.</summary>
internal static class Webhooks
{
    public const string Secret = "webhook-test-secret-0123456789-abcdefghij";
    public const string AgencyId = "police-110";

    /// <summary>Millisecond timings so retries, timeouts and breaks happen within a test; the breaker stays closed unless asked.</summary>
    public static Dictionary<string, string?> Fast(int attempts = 4, int breakerMinimumThroughput = 1000) => new()
    {
        ["Webhooks:MaxAttempts"] = attempts.ToString(),
        ["Webhooks:BaseDelay"] = "00:00:00.100",
        ["Webhooks:MaxDelay"] = "00:00:00.500",
        ["Webhooks:AttemptTimeout"] = "00:00:02",
        ["Webhooks:BreakerFailureRatio"] = "0.5",
        ["Webhooks:BreakerMinimumThroughput"] = breakerMinimumThroughput.ToString(),
        ["Webhooks:BreakerSamplingDuration"] = "00:00:30",
        ["Webhooks:BreakDuration"] = "00:00:01",
        ["Webhooks:SweepPeriod"] = "00:00:02",
    };

    public static async Task<Agency> RegisterAgency(HttpClient admin, string id = AgencyId)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/agencies", new
        {
            id, nameZh = "广州市公安局花都区分局", nameEn = "Huadu Public Security Sub-bureau", kind = "Police",
            contact = new { name = "Duty officer", phone = "+86 20 8686 0110", email = "duty@police.example.cn" },
        });
        return await Expect<Agency>(response, HttpStatusCode.Created);
    }

    public static async Task<WebhookEndpoint> AddWebhook(HttpClient admin, string url, string[]? events = null, string hookId = "main", string agencyId = AgencyId)
    {
        var response = await admin.PostAsJsonAsync($"/api/v1/agencies/{agencyId}/webhooks", new
        {
            id = hookId, url, events = events ?? Enum.GetNames<IncidentEventKind>(), secret = Secret,
        });
        return await Expect<WebhookEndpoint>(response, HttpStatusCode.Created);
    }

    public static async Task<T> Expect<T>(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    /// <summary>
    /// The agency reports a landslide, then a dispatcher raises it to III, dispatches D01 and contains it: five events,
    /// IncidentCreated, LevelChanged, TeamsDispatched, StatusChanged (Reported -> Responding), StatusChanged (-> Contained).
    /// </summary>
    public static async Task<string> ReportAndChange(DispatchNode node, string agencyId = AgencyId)
    {
        var agency = node.ClientAs(Roles.Agency, agencyId: agencyId);
        var created = await Expect<Incident>(await agency.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Landslide", title = "Slope failure above village road", description = "houses at risk",
            location = new { lat = 23.452, lon = 113.305 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        }), HttpStatusCode.Created);
        Assert.Equal(agencyId, created.Source);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var id = created.Id;
        await Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/response-level", new { level = "III", reason = "houses at risk" }), HttpStatusCode.OK);
        await Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/dispatches", new { teamIds = new[] { "D01" } }), HttpStatusCode.OK);
        await Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/transitions", new { to = "Contained", reason = "slope stabilised" }), HttpStatusCode.OK);
        return id;
    }

    public static readonly string[] FiveKinds = ["IncidentCreated", "LevelChanged", "TeamsDispatched", "StatusChanged", "StatusChanged"];

    /// <summary>Waits (generously: the machine is shared) until the condition holds.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail($"not within {seconds} s: {what}");
    }

    public static Task Eventually(Func<bool> condition, string what, int seconds = 90) => Eventually(() => Task.FromResult(condition()), what, seconds);

    /// <summary>The first successful delivery of each event, in arrival order.</summary>
    public static List<ReceivedWebhook> FirstDeliveries(WebhookReceiver receiver, string hook) =>
        [.. receiver.Delivered(hook).GroupBy(r => r.EventId).Select(g => g.First())];

    /// <summary>Checks the headers, the body and the signature of a delivery, with an HMAC computed here.</summary>
    public static JsonElement Verify(ReceivedWebhook r, string secret = Secret)
    {
        Assert.StartsWith("HuaduDispatch-Webhooks/", r.UserAgent); // some partners' firewalls refuse requests without one
        Assert.Equal("application/json", r.ContentType);
        Assert.NotNull(r.Timestamp);
        var timestamp = long.Parse(r.Timestamp!);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = "sha256=" + Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{r.Timestamp}.{r.Body}"))).ToLowerInvariant();
        Assert.Equal(expected, r.Signature);
        var body = JsonDocument.Parse(r.Body).RootElement;
        Assert.Equal(r.EventId, body.GetProperty("eventId").GetString());
        Assert.Equal(r.EventType, body.GetProperty("type").GetString());
        var incidentId = body.GetProperty("incidentId").GetString();
        Assert.Equal($"{incidentId}/{body.GetProperty("sequence").GetInt64()}", r.EventId);
        Assert.Equal(incidentId, body.GetProperty("incident").GetProperty("id").GetString());
        Assert.True(body.GetProperty("summary").GetString()!.Length > 0);
        Assert.True(body.TryGetProperty("occurredAt", out _));
        return body;
    }

    public static async Task<WebhookDeliveryStatus> Deliveries(HttpClient client, string hook = "main", string agencyId = AgencyId) =>
        await client.GetOk<WebhookDeliveryStatus>($"/api/v1/agencies/{agencyId}/webhooks/{hook}/deliveries");

    public static async Task<List<DeadLetterView>> DeadLetters(HttpClient client, string hook = "main", string agencyId = AgencyId) =>
        await client.GetOk<List<DeadLetterView>>($"/api/v1/agencies/{agencyId}/webhooks/{hook}/dead-letters");
}

/// <summary>The agency registry and signed webhooks end to end: embedded node, real Kestrel receiver, real HTTP.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private readonly List<DispatchNode> _nodes = [];

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartNewAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<DispatchNode> Node(Dictionary<string, string?> settings)
    {
        var node = await DispatchNode.StartAsync(connectionString: null, settings);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task Agency_events_arrive_in_sequence_order_signed_and_only_the_subscribed_kinds_reach_a_filtered_endpoint()
    {
        var node = await Node(Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        var all = await Webhooks.AddWebhook(admin, _receiver.Url("all"), hookId: "main");
        Assert.True(all.Active && all.SecretSet);
        await Webhooks.AddWebhook(admin, _receiver.Url("levels"), ["LevelChanged"], hookId: "levels");

        var incidentId = await Webhooks.ReportAndChange(node);

        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(_receiver, "all").Count >= 5, "five events delivered to the main endpoint");
        var delivered = Webhooks.FirstDeliveries(_receiver, "all");
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{incidentId}/{i}"), delivered.Select(r => r.EventId));
        Assert.Equal(Webhooks.FiveKinds, delivered.Select(r => r.EventType));
        foreach (var r in delivered) Webhooks.Verify(r);
        var level = Webhooks.Verify(delivered[1]);
        Assert.Equal("III", level.GetProperty("incident").GetProperty("responseLevel").GetString());
        Assert.Equal("Contained", Webhooks.Verify(delivered[4]).GetProperty("incident").GetProperty("status").GetString());

        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(_receiver, "levels").Count >= 1, "the level change delivered to the filtered endpoint");
        var levels = Webhooks.FirstDeliveries(_receiver, "levels");
        Assert.Equal([$"{incidentId}/2"], levels.Select(r => r.EventId));

        // The agency reads its own delivery state.
        var agency = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(agency)).Delivered == 5, "deliveries endpoint counts 5");
        var status = await Webhooks.Deliveries(agency);
        Assert.Equal(0, status.Pending);
        Assert.Equal(0, status.DeadLetters);
        Assert.Equal("Closed", status.Circuit);
        Assert.Contains(status.LastAttempts, a => a.Succeeded && a.StatusCode == 200);
    }

    [Fact]
    public async Task A_url_fixed_and_a_secret_rotated_while_an_event_is_retried_reach_its_next_attempt()
    {
        // Retries about 1, 2, 2, 2, 2 s apart: the PUT below lands well before the last attempt.
        var settings = Webhooks.Fast(attempts: 6);
        settings["Webhooks:BaseDelay"] = "00:00:01";
        settings["Webhooks:MaxDelay"] = "00:00:02";
        var node = await Node(settings);
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        // A typo in the port: nothing listens there, every attempt is refused.
        await Webhooks.AddWebhook(admin, $"http://127.0.0.1:{DispatchNode.FreePort()}/hook/main");
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var created = await Webhooks.Expect<Incident>(await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("url switch", externalId: "110-urlswitch", source: null)), HttpStatusCode.Created);
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(police)).LastAttempts.Count >= 1, "the first attempt failed");

        const string rotated = "rotated-webhook-secret-9876543210-zyxwvutsrq";
        await Webhooks.Expect<WebhookEndpoint>(await admin.PutAsJsonAsync($"/api/v1/agencies/{Webhooks.AgencyId}/webhooks/main", new
        {
            url = _receiver.Url("main"), events = Enum.GetNames<IncidentEventKind>(), secret = rotated,
        }), HttpStatusCode.OK);

        await Webhooks.Eventually(async () =>
            Webhooks.FirstDeliveries(_receiver, "main").Any(r => r.EventId == $"{created.Id}/1") || (await Webhooks.DeadLetters(police)).Count > 0,
            "the event delivered or dead-lettered");
        Assert.Empty(await Webhooks.DeadLetters(police));
        var delivered = Assert.Single(Webhooks.FirstDeliveries(_receiver, "main"), r => r.EventId == $"{created.Id}/1");
        Webhooks.Verify(delivered, rotated);
    }

    /// <summary>
    /// A node whose police endpoint "main" receives as <paramref name="answer"/> says, retried <paramref name="attempts"/> times
    /// between the delays given, with a slow sweep (a delivery soon after a switch is the switch's doing); the agency reports one
    /// incident and its first attempt has failed.
    /// </summary>
    private async Task<(HttpClient Admin, HttpClient Police, Incident Created)> OneEventRetried(int attempts, TimeSpan baseDelay, TimeSpan maxDelay,
        Func<string?, int, (int, TimeSpan)> answer, string externalId)
    {
        var settings = Webhooks.Fast(attempts);
        settings["Webhooks:BaseDelay"] = baseDelay.ToString("c");
        settings["Webhooks:MaxDelay"] = maxDelay.ToString("c");
        settings["Webhooks:SweepPeriod"] = "00:05:00";
        var node = await Node(settings);
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, _receiver.Url("main"));
        _receiver.Answer = answer;
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var created = await Webhooks.Expect<Incident>(await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident(externalId, externalId: externalId, source: null)), HttpStatusCode.Created);
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(police)).LastAttempts.Count >= 1, "the first attempt failed");
        return (admin, police, created);
    }

    private async Task Switch(HttpClient admin, bool active) =>
        await Webhooks.Expect<WebhookEndpoint>(await admin.PutAsJsonAsync($"/api/v1/agencies/{Webhooks.AgencyId}/webhooks/main",
            new { url = _receiver.Url("main"), events = Enum.GetNames<IncidentEventKind>(), active }), HttpStatusCode.OK);

    [Fact]
    public async Task An_endpoint_switched_off_while_an_event_is_retried_holds_it_and_delivers_it_at_once_when_switched_on()
    {
        // Retries about 0.5 to 1 s apart; the sweep is slow, so a delivery soon after switching on is the switch's doing.
        var (admin, police, created) = await OneEventRetried(attempts: 4, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
            (_, _) => (500, TimeSpan.Zero), "110-off"); // the agency's receiver is down
        await Switch(admin, active: false);
        var afterSwitch = _receiver.Requests.Count;
        // Longer than the attempts left would take: the event is held, not a dead letter, and no more attempts are made
        // (one already under way when the switch came may still arrive).
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Empty(await Webhooks.DeadLetters(police));
        Assert.Equal(1, (await Webhooks.Deliveries(police)).Pending);
        Assert.True(_receiver.Requests.Count <= afterSwitch + 1, $"{_receiver.Requests.Count - afterSwitch} attempts after the endpoint was switched off");
        // An event raised while the endpoint is off is queued and held too: until the thirtieth session it was not queued for
        // the endpoint at all, lost for good with no record, while partners are told a gap is not a lost event.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/incidents/{created.Id}/response-level", new { level = "II", reason = "spreading to the warehouse" })).StatusCode);
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(police)).Pending == 2, "the new event queued and held");
        Assert.True(_receiver.Requests.Count <= afterSwitch + 1, "an event was sent to the endpoint while it was off");

        _receiver.Answer = (_, _) => (200, TimeSpan.Zero);
        await Switch(admin, active: true);
        await Webhooks.Eventually(() => Task.FromResult(Webhooks.FirstDeliveries(_receiver, "main").Any(r => r.EventId == $"{created.Id}/2")), "the held events delivered", seconds: 30);
        Assert.Equal([$"{created.Id}/1", $"{created.Id}/2"], Webhooks.FirstDeliveries(_receiver, "main").Select(r => r.EventId ?? "").Where(id => id.StartsWith(created.Id, StringComparison.Ordinal)).Distinct());
        Assert.Empty(await Webhooks.DeadLetters(police));
    }

    [Fact]
    public async Task An_endpoint_switched_off_during_the_last_attempt_holds_the_event()
    {
        // Two attempts: the first fails at once, the second (the last) answers 500 after 1.5 s; the endpoint is switched off
        // while it is on the wire. It became a dead letter (the verifying test).
        var (admin, police, _) = await OneEventRetried(attempts: 2, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200),
            (_, earlier) => earlier == 0 ? (500, TimeSpan.Zero) : (500, TimeSpan.FromSeconds(1.5)), "110-lastoff");
        await Task.Delay(600); // the second attempt is on the wire (sent about 0.2 s after the first, answered 1.5 s later)
        await Switch(admin, active: false);
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(police)).LastAttempts.Count >= 2, "the last attempt answered");
        await Task.Delay(500);
        Assert.Empty(await Webhooks.DeadLetters(police));
        Assert.Equal(1, (await Webhooks.Deliveries(police)).Pending);
    }

    [Fact]
    public async Task A_delivery_is_retried_after_500s_and_a_timeout_with_the_same_event_id_then_succeeds()
    {
        var node = await Node(Webhooks.Fast(attempts: 5));
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, _receiver.Url("main"));
        // Each event: 500, 500, an answer slower than the 2 s attempt timeout, then 200.
        _receiver.Answer = (_, earlier) => earlier switch
        {
            0 or 1 => (500, TimeSpan.Zero),
            2 => (200, TimeSpan.FromSeconds(8)),
            _ => (200, TimeSpan.Zero),
        };

        var incidentId = await Webhooks.ReportAndChange(node);

        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(_receiver, "main").Count >= 5, "five events delivered after retries");
        var delivered = Webhooks.FirstDeliveries(_receiver, "main");
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{incidentId}/{i}"), delivered.Select(r => r.EventId));
        foreach (var r in delivered)
        {
            Webhooks.Verify(r);
            var tries = _receiver.Requests.Where(q => q.EventId == r.EventId).ToList();
            Assert.True(tries.Count >= 4, $"{r.EventId}: {tries.Count} requests");
            Assert.Equal(2, tries.Count(t => t.Answered == 500));
            Assert.Contains(tries, t => t.Answered == 0); // the sender hung up: its attempt timed out
            Assert.Contains(tries, t => t.Answered == 200);
            Assert.All(tries, t => Webhooks.Verify(t));
        }
        // The outbox records a delivery once its 200 is back, a moment after the receiver has logged the request.
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(admin)).Delivered == 5, "deliveries endpoint counts 5");
        var status = await Webhooks.Deliveries(admin);
        Assert.Equal(5, status.Delivered);
        Assert.Equal(0, status.DeadLetters);
        Assert.Contains(status.LastAttempts, a => a.Error == "HTTP 500" && a.StatusCode == 500);
        Assert.Contains(status.LastAttempts, a => a.Error != null && a.Error.StartsWith("timeout"));
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_failures_holds_the_queue_without_dead_letters_and_delivers_in_order_once_closed()
    {
        var node = await Node(Webhooks.Fast(attempts: 6, breakerMinimumThroughput: 2));
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, _receiver.Url("main"));
        _receiver.Answer = (_, _) => (503, TimeSpan.Zero);

        var incidentId = await Webhooks.ReportAndChange(node);

        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(admin)).Circuit == "Open", "the circuit opens");
        var open = await Webhooks.Deliveries(admin);
        Assert.Equal(5, open.Pending);
        Assert.Equal(0, open.DeadLetters);
        // Only the head was ever tried: the breaker stops attempts instead of burning through the queue.
        Assert.All(_receiver.Requests, r => Assert.Equal($"{incidentId}/1", r.EventId));
        Assert.Empty(await Webhooks.DeadLetters(admin));

        _receiver.Answer = (_, _) => (200, TimeSpan.Zero);
        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(_receiver, "main").Count >= 5, "five events delivered after the break");
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{incidentId}/{i}"), Webhooks.FirstDeliveries(_receiver, "main").Select(r => r.EventId));
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(admin)) is { Delivered: 5, Circuit: "Closed" }, "circuit closed, 5 delivered");
        Assert.Empty(await Webhooks.DeadLetters(admin));
    }

    [Fact]
    public async Task After_the_last_attempt_an_event_is_a_dead_letter_the_queue_moves_on_and_replay_delivers_it()
    {
        var node = await Node(Webhooks.Fast(attempts: 3));
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, _receiver.Url("main"));
        var refuse = true;
        // The receiver refuses events 1 and 2 (500 every time) and takes the others.
        _receiver.Answer = (eventId, _) => refuse && (eventId!.EndsWith("/1") || eventId.EndsWith("/2")) ? (500, TimeSpan.Zero) : (200, TimeSpan.Zero);

        var incidentId = await Webhooks.ReportAndChange(node);

        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(_receiver, "main").Count >= 3, "events 3-5 delivered");
        Assert.Equal([$"{incidentId}/3", $"{incidentId}/4", $"{incidentId}/5"], Webhooks.FirstDeliveries(_receiver, "main").Select(r => r.EventId));
        var agency = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var letters = await Webhooks.DeadLetters(agency);
        Assert.Equal([$"{incidentId}/1", $"{incidentId}/2"], letters.Select(d => d.EventId));
        Assert.All(letters, d => Assert.Equal(3, d.Attempts));
        Assert.All(letters, d => Assert.Equal("HTTP 500", d.LastError));
        Assert.Equal(["IncidentCreated", "LevelChanged"], letters.Select(d => d.Type));
        Assert.Equal(3, _receiver.Requests.Count(r => r.EventId == $"{incidentId}/1"));

        refuse = false;
        // One by id (the slash of the event id escaped as %2F), by the agency itself ...
        var one = await agency.PostAsync($"/api/v1/agencies/{Webhooks.AgencyId}/webhooks/main/dead-letters/{Uri.EscapeDataString($"{incidentId}/2")}/replay", null);
        Assert.Equal(1, (await Webhooks.Expect<ReplayResult>(one, HttpStatusCode.OK)).Replayed);
        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(_receiver, "main").Count >= 4, "event 2 delivered on replay");
        Assert.Equal($"{incidentId}/2", Webhooks.FirstDeliveries(_receiver, "main")[3].EventId);
        // ... a second replay of it is a 404, and the rest go with replay-all.
        var again = await agency.PostAsync($"/api/v1/agencies/{Webhooks.AgencyId}/webhooks/main/dead-letters/{Uri.EscapeDataString($"{incidentId}/2")}/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var rest = await admin.PostAsync($"/api/v1/agencies/{Webhooks.AgencyId}/webhooks/main/dead-letters/replay", null);
        Assert.Equal(1, (await Webhooks.Expect<ReplayResult>(rest, HttpStatusCode.OK)).Replayed);
        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(_receiver, "main").Count >= 5, "event 1 delivered on replay");
        var final = Webhooks.FirstDeliveries(_receiver, "main");
        Assert.Equal($"{incidentId}/1", final[4].EventId);
        foreach (var r in final) Webhooks.Verify(r);
        Assert.Empty(await Webhooks.DeadLetters(agency));
    }

    [Fact]
    public async Task Registry_endpoints_validate_input_hide_secrets_and_enforce_admin_and_own_agency_access()
    {
        var node = await Node(Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var police = node.ClientAs(Roles.Agency, agencyId: "police-110");
        var fireToken = node.ClientAs(Roles.Agency, agencyId: "fire-119");

        await Webhooks.RegisterAgency(admin, "police-110");
        await Webhooks.RegisterAgency(admin, "fire-119");
        var hook = await Webhooks.AddWebhook(admin, _receiver.Url("main"), ["LevelChanged", "statusChanged"]);
        Assert.Equal([IncidentEventKind.LevelChanged, IncidentEventKind.StatusChanged], hook.Events);
        Assert.StartsWith("sha256:", hook.SecretFingerprint);

        // Listing and reading: the secret never comes back.
        var listText = await (await admin.GetAsync("/api/v1/agencies")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(Webhooks.Secret, listText);
        Assert.Contains("\"secretSet\":true", listText);
        var list = JsonSerializer.Deserialize<List<Agency>>(listText, DispatchJson.Options)!;
        Assert.Equal(["fire-119", "police-110"], list.Select(a => a.Id));
        var own = await police.GetOk<Agency>("/api/v1/agencies/police-110");
        Assert.Equal(AgencyKind.Police, own.Kind);
        Assert.Single(own.Webhooks);
        // A new endpoint's Location reads (it answered 405), for the agency itself, and 404 for another agency.
        var added = await admin.PostAsJsonAsync("/api/v1/agencies/police-110/webhooks", new { id = "second", url = _receiver.Url("second"), events = new[] { "IncidentClosed" }, secret = Webhooks.Secret });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var read = await police.GetOk<WebhookEndpoint>(added.Headers.Location!.OriginalString);
        Assert.Equal(("second", true), (read.Id, read.SecretSet));
        Assert.DoesNotContain(Webhooks.Secret, await (await police.GetAsync(added.Headers.Location!.OriginalString)).Content.ReadAsStringAsync());
        Assert.Equal(["main", "second"], (await police.GetOk<List<WebhookEndpoint>>("/api/v1/agencies/police-110/webhooks")).Select(w => w.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await fireToken.GetAsync(added.Headers.Location!.OriginalString)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await police.GetAsync("/api/v1/agencies/police-110/webhooks/none-such")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(added.Headers.Location!.OriginalString)).StatusCode);

        // Validation: 400 naming the field; conflicts 409; unknown ids 404.
        var badId = await admin.PostAsJsonAsync("/api/v1/agencies", new { id = "abc", nameZh = "x", nameEn = "x", kind = "Fire", contact = new { name = "n", phone = "110" } });
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.True((await badId.ReadProblem()).GetProperty("errors").TryGetProperty("id", out _));
        var badKind = await admin.PostAsJsonAsync("/api/v1/agencies", new { id = "army-1", nameZh = "x", nameEn = "x", kind = "Army", contact = new { name = "n", phone = "110" } });
        Assert.True((await badKind.ReadProblem()).GetProperty("errors").TryGetProperty("kind", out _));
        var shortSecret = await admin.PostAsJsonAsync("/api/v1/agencies/police-110/webhooks", new { url = _receiver.Url("x"), events = new[] { "LevelChanged" }, secret = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, shortSecret.StatusCode);
        Assert.True((await shortSecret.ReadProblem()).GetProperty("errors").TryGetProperty("secret", out _));
        var badUrl = await admin.PostAsJsonAsync("/api/v1/agencies/police-110/webhooks", new { url = "ftp://x", events = new[] { "LevelChanged" }, secret = Webhooks.Secret });
        Assert.True((await badUrl.ReadProblem()).GetProperty("errors").TryGetProperty("url", out _));
        var badEvent = await admin.PostAsJsonAsync("/api/v1/agencies/police-110/webhooks", new { url = _receiver.Url("x"), events = new[] { "Nope" }, secret = Webhooks.Secret });
        Assert.True((await badEvent.ReadProblem()).GetProperty("errors").TryGetProperty("events", out _));
        var duplicate = await admin.PostAsJsonAsync("/api/v1/agencies", new { id = "police-110", nameZh = "x", nameEn = "x", kind = "Police", contact = new { name = "n", phone = "110" } });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var duplicateHook = await admin.PostAsJsonAsync("/api/v1/agencies/police-110/webhooks", new { id = "main", url = _receiver.Url("x"), events = new[] { "LevelChanged" }, secret = Webhooks.Secret });
        Assert.Equal(HttpStatusCode.Conflict, duplicateHook.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/agencies/gas-96777")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/v1/agencies/gas-96777/webhooks", new { url = _receiver.Url("x"), events = new[] { "LevelChanged" }, secret = Webhooks.Secret })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/agencies/police-110/webhooks/nope/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/agencies/police-110/webhooks/nope")).StatusCode);

        // PUT updates the profile (the id stays); a different id in the body is a 400.
        var updated = await Webhooks.Expect<Agency>(await admin.PutAsJsonAsync("/api/v1/agencies/fire-119",
            new { nameZh = "花都区消防救援大队", nameEn = "Huadu Fire and Rescue", kind = "Fire", contact = new { name = "Watch room", email = "watch@fire.example.cn" } }), HttpStatusCode.OK);
        Assert.Equal(AgencyKind.Fire, updated.Kind);
        Assert.Equal("Huadu Fire and Rescue", updated.NameEn);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/v1/agencies/fire-119",
            new { id = "fire-120", nameZh = "x", nameEn = "x", kind = "Fire", contact = new { name = "n", phone = "119" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/v1/agencies/gas-96777",
            new { nameZh = "x", nameEn = "x", kind = "Gas", contact = new { name = "n", phone = "119" } })).StatusCode);

        // Admin-only endpoints: 403 for every other role, agencies included.
        foreach (var client in new[] { dispatcher, police })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/agencies")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/agencies", new { id = "gas-96777" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync("/api/v1/agencies/police-110", new { nameZh = "x" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/agencies/police-110/webhooks", new { url = "http://x" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("/api/v1/agencies/police-110/webhooks/main")).StatusCode);
        }
        // The agency-self endpoints: other roles 403; another agency's id 404, as an unknown one.
        Assert.Equal(HttpStatusCode.Forbidden, (await dispatcher.GetAsync("/api/v1/agencies/police-110")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await dispatcher.GetAsync("/api/v1/agencies/police-110/webhooks/main/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fireToken.GetAsync("/api/v1/agencies/police-110")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fireToken.GetAsync("/api/v1/agencies/police-110/webhooks/main/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fireToken.GetAsync("/api/v1/agencies/police-110/webhooks/main/dead-letters")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fireToken.PostAsync("/api/v1/agencies/police-110/webhooks/main/dead-letters/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await police.GetAsync("/api/v1/agencies/police-110/webhooks/main/deliveries")).StatusCode);

        // Removing the endpoint: it is gone from the agency and its delivery state is 404.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/agencies/police-110/webhooks/main")).StatusCode);
        Assert.Empty((await admin.GetOk<Agency>("/api/v1/agencies/police-110")).Webhooks);
        Assert.Equal(HttpStatusCode.NotFound, (await police.GetAsync("/api/v1/agencies/police-110/webhooks/main/deliveries")).StatusCode);
    }
}

/// <summary>Webhook durability in PostgreSQL mode: queued events survive a full restart of the node and are delivered after it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WebhookDurabilityTests(PostgresServer postgres)
{
    [Fact]
    public async Task Events_queued_while_the_receiver_is_down_are_all_delivered_after_a_node_restart_with_the_same_ids_and_no_gaps()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        await using var receiver = WebhookReceiver.Create(); // not listening yet: connection refused
        var settings = Webhooks.Fast(attempts: 6, breakerMinimumThroughput: 2);

        string incidentId;
        await using (var first = await DispatchNode.StartAsync(cs, settings))
        {
            var admin = first.ClientAs(Roles.Admin);
            await Webhooks.RegisterAgency(admin);
            await Webhooks.AddWebhook(admin, receiver.Url("main"));
            incidentId = await Webhooks.ReportAndChange(first);
            await Webhooks.Eventually(async () => (await Webhooks.Deliveries(admin)) is { Pending: 5, Circuit: "Open" }, "five events queued, circuit open");
            var status = await Webhooks.Deliveries(admin);
            Assert.Equal(0, status.Delivered);
            Assert.Equal(0, status.DeadLetters);
            Assert.Contains(status.LastAttempts, a => !a.Succeeded && a.StatusCode is null);
        }

        await receiver.StartAsync();
        await using var second = await DispatchNode.StartAsync(cs, settings);
        // Nobody calls the outbox: its reminder activates it on the new node and it resumes.
        await Webhooks.Eventually(() => Webhooks.FirstDeliveries(receiver, "main").Count >= 5, "five events delivered after the restart", seconds: 120);
        var delivered = Webhooks.FirstDeliveries(receiver, "main");
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{incidentId}/{i}"), delivered.Select(r => r.EventId));
        Assert.Equal(Webhooks.FiveKinds, delivered.Select(r => r.EventType));
        foreach (var r in delivered) Webhooks.Verify(r);
        var admin2 = second.ClientAs(Roles.Admin);
        await Webhooks.Eventually(async () => (await Webhooks.Deliveries(admin2)) is { Pending: 0, Delivered: 5 }, "the outbox is empty");
        Assert.Equal(5, receiver.Delivered("main").Select(r => r.EventId).Distinct().Count());
    }
}
