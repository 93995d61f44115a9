using System.Net;
using System.Net.Http.Json;
using System.Text;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Every endpoint and hub against every role: allowed, 401 (no token), 403 (wrong role or acting for another team), 404
/// (an incident another agency reported). The expected table is written here by hand, independently of the policies in the
/// code, and the test fails when an endpoint exists that the table does not list.
/// </summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    /// <summary>Who calls: the centre's roles, team D01, the reporting agency (police-110) and another agency (fire-119).</summary>
    public enum Who { Anonymous, Dispatcher, Commander, Viewer, Admin, Team, OwnAgency, OtherAgency }

    // Allowed callers per endpoint. D dispatcher, C commander, V viewer, A admin, T team (its own team's resources),
    // G agency (for routes under an incident: only the reporting agency; another agency gets 404, as if it did not exist).
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        ["GET /api/v1/areas"] = "DCVATG",
        ["GET /api/v1/teams"] = "DCVATG",
        ["GET /api/v1/teams/{id}"] = "DCVATG",
        ["POST /api/v1/teams/{id}/status"] = "DCAT",
        ["POST /api/v1/teams/{id}/position"] = "DCAT",
        ["GET /api/v1/warehouses"] = "DCVA",
        ["GET /api/v1/warehouses/{id}"] = "DCVA",
        ["GET /api/v1/warehouses/{id}/stock-movements"] = "DCVA",
        ["GET /api/v1/warehouses/{id}/shipments"] = "DCVA",
        ["POST /api/v1/warehouses/{id}/stock-movements"] = "DCA",
        ["GET /api/v1/items"] = "DCVATG",
        ["GET /api/v1/shelters"] = "DCVATG",
        ["GET /api/v1/shelters/{id}"] = "DCVATG",
        ["POST /api/v1/shelters/{id}/occupancy"] = "DCA",
        ["GET /api/v1/risk-points"] = "DCVATG",
        ["GET /api/v1/hazard-points"] = "DCVATG",
        ["GET /api/v1/reference-data"] = "DCVATG",
        ["POST /api/v1/reference-data/reload"] = "A",
        ["GET /api/v1/response-plans"] = "DCVATG",
        ["PUT /api/v1/response-plans"] = "A",
        ["POST /api/v1/incidents"] = "DCAG",
        ["GET /api/v1/incidents"] = "DCVATG",
        ["GET /api/v1/incidents/{id}"] = "DCVATG",
        ["POST /api/v1/incidents/{id}/assessments"] = "DCAG",
        ["POST /api/v1/incidents/{id}/transitions"] = "DCA",
        ["POST /api/v1/incidents/{id}/response-level"] = "DCA",
        ["POST /api/v1/incidents/{id}/upward-reports"] = "DCA",
        ["POST /api/v1/incidents/{id}/shares"] = "DCA",
        ["GET /api/v1/incidents/{id}/recommendations"] = "DCVA",
        ["POST /api/v1/incidents/{id}/dispatches"] = "DCA",
        ["POST /api/v1/incidents/{id}/teams/{teamId}/release"] = "DCA",
        ["GET /api/v1/incidents/{id}/tasks"] = "DCVATG",
        ["GET /api/v1/incidents/{id}/tasks/{taskId}"] = "DCVATG",
        ["POST /api/v1/incidents/{id}/tasks"] = "DCA",
        ["POST /api/v1/incidents/{id}/tasks/{taskId}/status"] = "DCAT",
        ["GET /api/v1/incidents/{id}/command-post"] = "DCVATG",
        ["POST /api/v1/incidents/{id}/command-post"] = "DCA",
        ["POST /api/v1/incidents/{id}/command-post/sitreps"] = "DCA",
        ["GET /api/v1/incidents/{id}/timeline"] = "DCVA",
        ["GET /api/v1/incidents/{id}/relief"] = "DCVATG",
        ["POST /api/v1/incidents/{id}/relief/avoided-warehouses"] = "DCA",
        ["DELETE /api/v1/incidents/{id}/relief/avoided-warehouses/{warehouseId}"] = "DCA",
        ["POST /api/v1/incidents/{id}/relief/shelter-departures"] = "DCA",
        ["GET /api/v1/relief/plan"] = "DCVA",
        ["POST /api/v1/relief/plan"] = "DCA",
        ["GET /api/v1/shipments/{id}"] = "DCVA",
        ["POST /api/v1/shipments/{id}/status"] = "DCA",
        ["GET /api/v1/kpi/relief"] = "DCVA",
        ["POST /api/v1/warehouses/{id}/activation"] = "DCA",
        ["POST /api/v1/warehouses/{id}/deactivation"] = "DCA",
        ["GET /api/v1/relief/requests/edxl-rm"] = "DCVA",
        ["GET /api/v1/relief/alerts"] = "DCVA",
        ["GET /api/v1/incidents/{id}/eido"] = "DCVATG",
        ["POST /api/v1/eido"] = "DCAG",
        ["GET /api/v1/map/{layer}"] = "DCVATG",
        ["GET /api/v1/agencies"] = "A",
        ["POST /api/v1/agencies"] = "A",
        ["GET /api/v1/agencies/{id}"] = "AG",
        ["PUT /api/v1/agencies/{id}"] = "A",
        ["POST /api/v1/agencies/{id}/webhooks"] = "A",
        ["DELETE /api/v1/agencies/{id}/webhooks/{webhookId}"] = "A",
        ["PUT /api/v1/agencies/{id}/webhooks/{webhookId}"] = "A",
        ["GET /api/v1/agencies/{id}/webhooks"] = "AG",
        ["GET /api/v1/agencies/{id}/webhooks/{webhookId}"] = "AG",
        ["GET /api/v1/agencies/{id}/webhooks/{webhookId}/deliveries"] = "AG",
        ["GET /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters"] = "AG",
        ["POST /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters/{eventId}/replay"] = "AG",
        ["POST /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters/replay"] = "AG",
    };

    /// <summary>Bodies that are valid enough to reach the visibility check; every other POST/PUT sends malformed JSON (allowed: 400).</summary>
    private static readonly Dictionary<string, string> Bodies = new(StringComparer.Ordinal)
    {
        ["POST /api/v1/incidents/{id}/assessments"] = """{"affected":50}""",
        // Requests that take no body: a body is a 400 since the thirtieth session, before the agency check could say 404.
        ["POST /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters/{eventId}/replay"] = "",
        ["POST /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters/replay"] = "",
    };

    private DispatchNode _node = null!;
    private string _incidentId = "";
    private string _ownTaskId = "";
    private string _otherTaskId = "";
    private string _warehouseId = "";
    private string _shelterId = "";

    public async Task InitializeAsync()
    {
        _node = await DispatchNode.StartAsync(connectionString: null);
        // Agency tokens count only for registered agencies: the reporting one and the other one.
        Assert.Equal(HttpStatusCode.Created, (await _node.ClientAs(Roles.Admin).PostAsJsonAsync("/api/v1/agencies", new
        {
            id = "police-110", nameZh = "花都区公安分局", nameEn = "Huadu police", kind = "Police", contact = new { name = "Duty officer", phone = "+86 20 8686 0110" },
        })).StatusCode);
        await _node.RegisterAgenciesAsync("fire-119");
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var created = await police.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title = "Matrix incident", location = new { lat = 23.404, lon = 113.2245 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), assessment = new { affected = 50 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        _incidentId = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{_incidentId}/dispatches", new { teamIds = new[] { "D01", "T05" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{_incidentId}/command-post", new { })).StatusCode);
        var tasks = await dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{_incidentId}/tasks");
        _ownTaskId = tasks.First(t => t.TeamId == "D01").Id;
        _otherTaskId = tasks.First(t => t.TeamId == "T05").Id;
        _warehouseId = (await dispatcher.GetOk<List<Warehouse>>("/api/v1/warehouses"))[0].Id;
        _shelterId = (await dispatcher.GetOk<List<Shelter>>("/api/v1/shelters"))[0].Id;
        var admin = _node.ClientAs(Roles.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/agencies/police-110/webhooks", new
        {
            id = "main", url = "http://127.0.0.1:9/unreachable", events = new[] { "IncidentClosed" }, secret = new string('s', 40),
        })).StatusCode);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private HttpClient Client(Who who) => who switch
    {
        Who.Anonymous => new HttpClient { BaseAddress = _node.BaseAddress },
        Who.Dispatcher => _node.ClientAs(Roles.Dispatcher),
        Who.Commander => _node.ClientAs(Roles.Commander),
        Who.Viewer => _node.ClientAs(Roles.Viewer),
        Who.Admin => _node.ClientAs(Roles.Admin),
        Who.Team => _node.ClientAs(Roles.Team, teamId: "D01"),
        Who.OwnAgency => _node.ClientAs(Roles.Agency, agencyId: "police-110"),
        Who.OtherAgency => _node.ClientAs(Roles.Agency, agencyId: "fire-119"),
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };

    private string Fill(string route) => route
        .Replace("/incidents/{id}", $"/incidents/{_incidentId}")
        .Replace("/teams/{teamId}", "/teams/T99") // releasing a team that is not assigned: allowed callers get 404, nothing changes
        .Replace("/tasks/{taskId}", $"/tasks/{_ownTaskId}")
        .Replace("/teams/{id}", "/teams/D01")
        .Replace("/warehouses/{id}", $"/warehouses/{_warehouseId}")
        .Replace("/shelters/{id}", $"/shelters/{_shelterId}")
        .Replace("/shipments/{id}", "/shipments/SHP-NONE")
        .Replace("/map/{layer}", "/map/incidents")
        .Replace("/agencies/{id}", "/agencies/police-110")
        .Replace("{webhookId}", "main")
        .Replace("{eventId}", "none")
        .Replace("{id}", "x");

    private static string Expected(string allowed, Who who, bool underIncident) => who switch
    {
        Who.Anonymous => "401",
        Who.Dispatcher => allowed.Contains('D') ? "allowed" : "403",
        Who.Commander => allowed.Contains('C') ? "allowed" : "403",
        Who.Viewer => allowed.Contains('V') ? "allowed" : "403",
        Who.Admin => allowed.Contains('A') ? "allowed" : "403",
        Who.Team => allowed.Contains('T') ? "allowed" : "403",
        Who.OwnAgency => allowed.Contains('G') ? "allowed" : "403",
        Who.OtherAgency => !allowed.Contains('G') ? "403" : underIncident ? "404" : "allowed",
        _ => "?",
    };

    private static string Observed(HttpStatusCode status, string expected) => (int)status switch
    {
        401 => "401",
        403 => "403",
        404 when expected is "404" or "403" or "401" => "404",
        _ => "allowed",
    };

    [Fact]
    public async Task Every_endpoint_answers_every_role_as_the_table_says()
    {
        var endpoints = _node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToList();
        var unlisted = endpoints.Where(e => !Allowed.ContainsKey(e)).ToList();
        Assert.True(unlisted.Count == 0, "endpoints missing from the authorization table: " + string.Join(", ", unlisted));

        var wrong = new List<string>();
        foreach (var endpoint in endpoints.Order())
        {
            var (method, route) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
            // Under an incident or an agency, another agency is told "not found"; the reporting agency must really get an answer.
            var underIncident = route.StartsWith("/api/v1/incidents/{id}", StringComparison.Ordinal) || route.StartsWith("/api/v1/agencies/{id}", StringComparison.Ordinal);
            var mustExist = route.StartsWith("/api/v1/incidents/{id}", StringComparison.Ordinal) || endpoint == "GET /api/v1/agencies/{id}";
            foreach (var who in Enum.GetValues<Who>())
            {
                var request = new HttpRequestMessage(new HttpMethod(method), Fill(route));
                if (method is "POST" or "PUT")
                    request.Content = new StringContent(Bodies.GetValueOrDefault(endpoint, "{"), Encoding.UTF8, "application/json");
                var response = await Client(who).SendAsync(request);
                var expected = Expected(Allowed[endpoint], who, underIncident);
                var observed = Observed(response.StatusCode, who == Who.OwnAgency && mustExist && expected == "allowed" ? "404" : expected);
                if (expected == "allowed" && (int)response.StatusCode >= 500) observed = $"{(int)response.StatusCode}";
                if (observed != expected) wrong.Add($"{endpoint} as {who}: expected {expected}, got {(int)response.StatusCode}");
                if ((int)response.StatusCode >= 400)
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task A_team_cannot_act_for_another_team()
    {
        var d01 = Client(Who.Team);
        var status = await d01.PostAsJsonAsync("/api/v1/teams/T05/status", new { status = "OnScene" });
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        var position = await d01.PostAsJsonAsync("/api/v1/teams/T05/position", new { lat = 23.4, lon = 113.2 });
        Assert.Equal(HttpStatusCode.Forbidden, position.StatusCode);
        var task = await d01.PostAsJsonAsync($"/api/v1/incidents/{_incidentId}/tasks/{_otherTaskId}/status", new { status = "Acknowledged" });
        Assert.Equal(HttpStatusCode.Forbidden, task.StatusCode);
        // Its own team and task: allowed.
        Assert.Equal(HttpStatusCode.OK, (await d01.PostAsJsonAsync($"/api/v1/incidents/{_incidentId}/tasks/{_ownTaskId}/status", new { status = "Acknowledged" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await d01.PostAsJsonAsync("/api/v1/teams/D01/position", new { lat = 23.4, lon = 113.2 })).StatusCode);
    }

    public static TheoryData<Who, string, string> HubCases() => new()
    {
        { Who.Anonymous, "/hubs/dispatch", "401" }, { Who.Anonymous, "/hubs/field", "401" },
        { Who.Dispatcher, "/hubs/dispatch", "district" }, { Who.Dispatcher, "/hubs/field", "403" },
        { Who.Commander, "/hubs/dispatch", "district" }, { Who.Commander, "/hubs/field", "403" },
        { Who.Viewer, "/hubs/dispatch", "district" }, { Who.Viewer, "/hubs/field", "403" },
        { Who.Admin, "/hubs/dispatch", "district" }, { Who.Admin, "/hubs/field", "403" },
        { Who.Team, "/hubs/dispatch", "403" }, { Who.Team, "/hubs/field", "team" },
        { Who.OwnAgency, "/hubs/dispatch", "own-incident" }, { Who.OwnAgency, "/hubs/field", "403" },
        { Who.OtherAgency, "/hubs/dispatch", "no-incident" }, { Who.OtherAgency, "/hubs/field", "403" },
    };

    [Theory]
    [MemberData(nameof(HubCases))]
    public async Task Every_hub_answers_every_role_as_the_table_says(Who who, string hub, string expected)
    {
        var token = who switch
        {
            Who.Anonymous => null,
            Who.Team => DispatchNode.Token(Roles.Team, teamId: "D01"),
            Who.OwnAgency => DispatchNode.Token(Roles.Agency, agencyId: "police-110"),
            Who.OtherAgency => DispatchNode.Token(Roles.Agency, agencyId: "fire-119"),
            _ => DispatchNode.Token(who.ToString().ToLowerInvariant()),
        };
        if (expected is "401" or "403")
        {
            var e = await Assert.ThrowsAnyAsync<HttpRequestException>(() => HubClient.ConnectAsync(_node, hub, token));
            Assert.Equal(expected == "401" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, e.StatusCode);
            return;
        }
        await using var client = await HubClient.ConnectAsync(_node, hub, token);
        var connection = client.Connection;
        switch (expected)
        {
            case "district":
                Assert.NotNull(await connection.InvokeAsync<ScopeSnapshot>("Subscribe", "district"));
                Assert.NotNull(await connection.InvokeAsync<ScopeSnapshot>("Subscribe", $"incident:{_incidentId}"));
                Assert.NotNull(await connection.InvokeAsync<ResyncResult>("Resync", "district", 0L));
                await connection.InvokeAsync("Unsubscribe", "district");
                break;
            case "team":
                Assert.NotNull(await connection.InvokeAsync<ScopeSnapshot>("Subscribe"));
                Assert.NotNull(await connection.InvokeAsync<RescueTeam>("ReportPosition", new TeamPositionReport { Lat = 23.4, Lon = 113.2 }));
                Assert.NotNull(await connection.InvokeAsync<ResyncResult>("Resync", 0L));
                Assert.Equal(TeamStatus.EnRoute, (await connection.InvokeAsync<RescueTeam>("ReportStatus", new TeamStatusReport { Status = TeamStatus.EnRoute })).Status);
                var own = await connection.InvokeAsync<DispatchTask>("AcknowledgeTask", _incidentId, _ownTaskId);
                Assert.Equal("D01", own.TeamId);
                var other = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<DispatchTask>("AcknowledgeTask", _incidentId, _otherTaskId));
                Assert.Contains("403", other.Message);
                var update = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<DispatchTask>("UpdateTask", _incidentId, _otherTaskId,
                    new TaskUpdateRequest { Status = DispatchTaskStatus.InProgress }));
                Assert.Contains("403", update.Message);
                Assert.Equal(DispatchTaskStatus.InProgress, (await connection.InvokeAsync<DispatchTask>("UpdateTask", _incidentId, _ownTaskId,
                    new TaskUpdateRequest { Status = DispatchTaskStatus.InProgress })).Status);
                break;
            case "own-incident":
                Assert.NotNull(await connection.InvokeAsync<ScopeSnapshot>("Subscribe", $"incident:{_incidentId}"));
                Assert.Contains("403", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ScopeSnapshot>("Subscribe", "district"))).Message);
                break;
            case "no-incident":
                Assert.Contains("404", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ScopeSnapshot>("Subscribe", $"incident:{_incidentId}"))).Message);
                Assert.Contains("403", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ScopeSnapshot>("Subscribe", "district"))).Message);
                break;
            default:
                Assert.Fail($"unknown expectation {expected}");
                break;
        }
    }
}
