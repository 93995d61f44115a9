using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// The 3-hour promise judged by the durable reminder with the real clock: an incident that occurred 2 h 59 min 40 s ago has its
/// relief deadline 20 s away. Nothing is delivered, so the demand is AtRisk at once and Breached at the deadline, and the
/// reporting agency's webhook receives ReliefAtRisk then ReliefBreached.
/// </summary>
public sealed class ReliefDeadlineTests
{
    [Fact]
    public async Task Undelivered_relief_is_at_risk_then_breached_at_the_deadline_and_the_agency_is_told()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, Webhooks.Fast());
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, receiver.Url("relief"), ["ReliefAtRisk", "ReliefBreached"], hookId: "relief");

        var occurredAt = DateTimeOffset.UtcNow - TimeSpan.FromHours(3) + TimeSpan.FromSeconds(20);
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var incident = await Webhooks.Expect<Incident>(await police.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title = "Village cut off by water", location = new { lat = 23.452, lon = 113.305 },
            occurredAt, assessment = new { affected = 60, relocated = 20 },
        }), HttpStatusCode.Created);

        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var relief = await WaitFor(dispatcher, incident.Id, r => r.Status == ReliefStatus.Breached, TimeSpan.FromSeconds(90));
        Assert.Equal(occurredAt.AddHours(3), relief.Deadline);
        Assert.Contains(relief.Alerts, a => a.StartsWith("AtRisk", StringComparison.Ordinal));
        Assert.Contains(relief.Alerts, a => a.StartsWith("Breached", StringComparison.Ordinal));

        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.Equal(1, kpi.Breaches);
        Assert.Equal(0, kpi.RelievedWithin3h);

        // ?since= keeps the incidents due at or after it, and the alerts raised at or after it.
        string Since(DateTimeOffset at) => Uri.EscapeDataString(at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
        Assert.Contains((await dispatcher.GetOk<ReliefKpi>($"/api/v1/kpi/relief?since={Since(relief.Deadline.AddMinutes(-1))}")).Incidents, i => i.IncidentId == incident.Id);
        var later = await dispatcher.GetOk<ReliefKpi>($"/api/v1/kpi/relief?since={Since(relief.Deadline.AddMinutes(1))}");
        Assert.DoesNotContain(later.Incidents, i => i.IncidentId == incident.Id);
        Assert.Equal(0, later.Breaches);
        var breachedAt = (await dispatcher.GetOk<List<ReliefAlert>>($"/api/v1/relief/alerts?incidentId={incident.Id}")).First(a => a.Kind == ReliefAlertKind.Breached).At;
        var sinceBreach = await dispatcher.GetOk<List<ReliefAlert>>($"/api/v1/relief/alerts?incidentId={incident.Id}&since={Since(breachedAt)}");
        Assert.Equal([ReliefAlertKind.Breached], sinceBreach.Select(a => a.Kind));
        foreach (var bad in new[] { "yesterday", "2026-12-01T00:00:00" }) // no offset: whose midnight?
        {
            var response = await dispatcher.GetAsync($"/api/v1/kpi/relief?since={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("since", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Delivered("relief").Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var events = receiver.Delivered("relief");
        Assert.Equal(["ReliefAtRisk", "ReliefBreached"], events.Select(e => e.EventType));
        Assert.All(events, e => Assert.StartsWith(incident.Id + "/", e.EventId));
        var sequences = events.Select(e => JsonDocument.Parse(e.Body).RootElement.GetProperty("sequence").GetInt64()).ToList();
        Assert.True(sequences[0] < sequences[1], "events out of order");
    }

    private static async Task<IncidentRelief> WaitFor(HttpClient client, string incidentId, Func<IncidentRelief, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        IncidentRelief? last = null;
        while (DateTime.UtcNow < until)
        {
            var response = await client.GetAsync($"/api/v1/incidents/{incidentId}/relief");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                last = (await response.Content.ReadFromJsonAsync<IncidentRelief>(DispatchJson.Options))!;
                if (done(last)) return last;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"relief of {incidentId} did not reach the expected state: {JsonSerializer.Serialize(last, DispatchJson.Options)}");
    }
}
