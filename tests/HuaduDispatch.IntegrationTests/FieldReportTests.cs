using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Field reports (team statuses, positions, task updates), command post updates, tasks and merges through the real HTTP API
/// and the field hub of one embedded node: the defects exploratory testing found on 2026-12-05. Each test uses its own teams.
/// </summary>
public sealed class FieldReportTests(EmbeddedNodeFixture fixture) : IClassFixture<EmbeddedNodeFixture>
{
    private DispatchNode Node => fixture.Node;
    private HttpClient Dispatcher => _dispatcher ??= Node.ClientAs(Roles.Dispatcher);
    private HttpClient? _dispatcher;

    private async Task<Incident> Create(IncidentType type, double lat, double lon)
    {
        var response = await Dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = type.ToString(), title = $"{type} field report test", description = "reported in a test", location = new { lat, lon },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10), source = "hotline",
        });
        return await Ok<Incident>(response, HttpStatusCode.Created);
    }

    private async Task<Incident> Dispatched(string teamId, IncidentType type = IncidentType.Flood, double lat = 23.40, double lon = 113.22)
    {
        var incident = await Create(type, lat, lon);
        await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { teamId } }));
        return incident;
    }

    private static async Task<T> Ok<T>(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    /// <summary>An RFC 9457 problem with the status, naming the field.</summary>
    private static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null) Assert.Contains($"\"{field}\"", text);
        return text;
    }

    private Task<List<TimelineEntry>> Timeline(string incidentId) => Dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incidentId}/timeline");

    private async Task Release(string incidentId, string teamId) =>
        await Ok<Incident>(await Dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/teams/{teamId}/release", new { reason = "test over" }));

    /// <summary>
    /// A position 4 minutes ahead of the server's clock is accepted and stored at the server's time, so the positions sent after
    /// it move the team (before, each of them answered 200 and was ignored as older until those 4 minutes had passed). The same
    /// holds for the position in a status report, stamped by its occurredAt, and over the field hub.
    /// </summary>
    [Fact]
    public async Task A_report_stamped_ahead_of_the_server_is_stored_at_the_server_time_and_does_not_block_later_positions()
    {
        var radio = Node.ClientAs(Roles.Team, teamId: "T09");
        var ahead = DateTimeOffset.UtcNow.AddMinutes(4);
        var first = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/position", new { lat = 23.401, lon = 113.201, at = ahead }));
        Assert.True(first.Position.At <= DateTimeOffset.UtcNow, $"stored at {first.Position.At:O}, ahead of the server");
        var second = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/position", new { lat = 23.402, lon = 113.202 }));
        Assert.Equal(23.402, second.Position.Lat);

        await using (var hub = await HubClient.ConnectAsync(Node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "T09")))
        {
            await hub.Connection.InvokeAsync<RescueTeam>("ReportPosition", new TeamPositionReport { Lat = 23.403, Lon = 113.203, At = DateTimeOffset.UtcNow.AddMinutes(4) });
            var byHub = await hub.Connection.InvokeAsync<RescueTeam>("ReportPosition", new TeamPositionReport { Lat = 23.404, Lon = 113.204 });
            Assert.Equal(23.404, byHub.Position.Lat);
        }

        // A status report's occurredAt ahead of the server stamps its position, and the status's time, with the server's time.
        var status = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/status",
            new { status = "OffDuty", occurredAt = DateTimeOffset.UtcNow.AddMinutes(4), position = new { lat = 23.405, lon = 113.205 } }));
        Assert.True(status.Position.At <= DateTimeOffset.UtcNow);
        var later = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/position", new { lat = 23.406, lon = 113.206 }));
        Assert.Equal(23.406, later.Position.Lat);
        // ... and the status sent after it is not taken for an older one.
        Assert.Equal(TeamStatus.Available, (await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/T09/status",
            new { status = "Available", occurredAt = DateTimeOffset.UtcNow }))).Status);
        Assert.Equal((TeamStatus.Available, 23.406), ((await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/T09")).Status, later.Position.Lat));
    }

    /// <summary>
    /// A status reported late (older than the status the team holds) answers 200 with the team as it is and is kept in the
    /// timeline as a late report; it does not undo the newer status (before, OnScene at -1 min then EnRoute at -5 min left the
    /// team EnRoute).
    /// </summary>
    [Fact]
    public async Task A_late_status_report_is_recorded_but_does_not_undo_the_newer_status()
    {
        var incident = await Dispatched("D08", IncidentType.Landslide, 23.452, 113.305);
        var radio = Node.ClientAs(Roles.Team, teamId: "D08");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TeamStatus.OnScene, (await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D08/status", new { status = "OnScene", occurredAt = now.AddMinutes(-1) }))).Status);
        var late = await Ok<RescueTeam>(await radio.PostAsJsonAsync("/api/v1/teams/D08/status", new { status = "EnRoute", occurredAt = now.AddMinutes(-5), note = "left base" }));
        Assert.Equal(TeamStatus.OnScene, late.Status);
        Assert.Equal(TeamStatus.OnScene, (await Dispatcher.GetOk<RescueTeam>("/api/v1/teams/D08")).Status);
        var entry = Assert.Single(await Timeline(incident.Id), e => e.Kind == "TeamStatus" && e.Summary.Contains("late report EnRoute"));
        Assert.Contains("left base", entry.Summary);
        Assert.Equal(now.AddMinutes(-5), entry.ReportedAt!.Value, TimeSpan.FromMilliseconds(1));

        // Over the hub alike; a report without a time (the server's now) is never late.
        await using (var hub = await HubClient.ConnectAsync(Node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "D08")))
        {
            var byHub = await hub.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.EnRoute, OccurredAt = now.AddMinutes(-4) });
            Assert.Equal(TeamStatus.OnScene, byHub.Status);
            Assert.Equal(TeamStatus.Returning, (await hub.Connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.Returning })).Status);
        }
        await Release(incident.Id, "D08");
    }
}
