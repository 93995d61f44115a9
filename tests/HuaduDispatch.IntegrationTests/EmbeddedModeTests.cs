using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>The embedded default (no configuration, no server) through a real Kestrel port.</summary>
public sealed class EmbeddedModeTests : IAsyncLifetime
{
    private DispatchNode _node = null!;

    public async Task InitializeAsync() => _node = await DispatchNode.StartAsync(connectionString: null);
    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Embedded_node_serves_the_plan_reference_figures_to_a_dispatcher()
    {
        await ApiAssertions.AssertPlanFigures(_node.ClientAs(Roles.Dispatcher));
    }

    [Fact]
    public async Task Health_probes_answer_without_a_token_with_each_check_by_name()
    {
        var live = await _node.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"status":"Healthy","checks":{}}""", await live.Content.ReadAsStringAsync());
        var ready = await _node.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("application/json", ready.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"status":"Healthy","checks":{"silo":"Healthy"}}""", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Protected_endpoint_without_a_token_answers_401_problem_details()
    {
        var response = await _node.Http.GetAsync("/api/v1/teams");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.ReadProblem();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Token_signed_with_another_key_answers_401()
    {
        var client = new HttpClient { BaseAddress = _node.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            DispatchNode.Token(Roles.Admin, signingKey: "some-other-key-that-is-long-enough-0123456789"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/areas")).StatusCode);
    }

    [Fact]
    public async Task Team_token_on_warehouses_answers_403_problem_details()
    {
        var response = await _node.ClientAs(Roles.Team, teamId: "D01").GetAsync("/api/v1/warehouses");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(403, (await response.ReadProblem()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Dispatcher_token_on_the_admin_reload_answers_403_and_admin_gets_200()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _node.ClientAs(Roles.Dispatcher).PostAsync("/api/v1/reference-data/reload", null)).StatusCode);
        var admin = await _node.ClientAs(Roles.Admin).PostAsync("/api/v1/reference-data/reload", null);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task Warehouse_detail_shows_its_stock_and_an_unknown_id_is_404()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var all = await dispatcher.GetOk<List<Warehouse>>("/api/v1/warehouses");
        var one = await dispatcher.GetOk<Warehouse>($"/api/v1/warehouses/{all[0].Id}");
        Assert.NotEmpty(one.Stock);
        Assert.All(one.Stock, s => Assert.True(s.OnHand > 0 && s.Available == s.OnHand));
        var missing = await dispatcher.GetAsync("/api/v1/warehouses/WH-NOPE");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(404, (await missing.ReadProblem()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Shelter_occupancy_is_kept_within_capacity_and_a_full_shelter_cannot_close()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var shelter = (await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters?areaId=huadong"))[0];
        Assert.False(shelter.Open);
        Assert.True(shelter.Capacity <= shelter.FloorAreaM2);
        var opened = await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelter.Id}/occupancy", new { occupancy = 40, open = true });
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(40, (await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{shelter.Id}")).Occupancy);
        Assert.Contains(await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters?open=true"), s => s.Id == shelter.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelter.Id}/occupancy", new { occupancy = shelter.Capacity + 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelter.Id}/occupancy", new { open = false })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelter.Id}/occupancy", new { occupancy = -1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _node.ClientAs(Roles.Viewer).PostAsJsonAsync($"/api/v1/shelters/{shelter.Id}/occupancy", new { occupancy = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelter.Id}/occupancy", new { occupancy = 0, open = false })).StatusCode);
    }

    [Fact]
    public async Task Stock_movements_keep_stock_non_negative_and_record_who_and_when()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var wh = await dispatcher.GetOk<Warehouse>("/api/v1/warehouses/WH-REG");
        var line = wh.Stock[0];
        var received = await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-REG/stock-movements", new { itemCode = line.ItemCode, quantity = 10, kind = "Receive", reason = "delivery from supplier" });
        Assert.Equal(HttpStatusCode.Created, received.StatusCode);
        var tooMuch = await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-REG/stock-movements", new { itemCode = line.ItemCode, quantity = line.OnHand + 11, kind = "Issue", reason = "x" });
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        var badKind = await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-REG/stock-movements", new { itemCode = line.ItemCode, quantity = 1, kind = "Steal", reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        var after = await dispatcher.GetOk<Warehouse>("/api/v1/warehouses/WH-REG");
        Assert.Equal(line.OnHand + 10, after.Stock.Single(s => s.ItemCode == line.ItemCode).OnHand);
        var history = await dispatcher.GetOk<List<StockMovement>>("/api/v1/warehouses/WH-REG/stock-movements");
        var movement = Assert.Single(history);
        Assert.Equal((Roles.Dispatcher, 10L, StockMovementKind.Receive), (movement.Actor, movement.Change, movement.Kind));
        Assert.Equal(HttpStatusCode.NotFound, (await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-NOPE/stock-movements", new { itemCode = line.ItemCode, quantity = 1, kind = "Receive", reason = "x" })).StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/response-plans", "[null]")]
    [InlineData("PUT", "/api/v1/response-plans", "[{\"type\":\"Flood\",\"level\":\"IV\",\"modules\":[null]}]")]
    [InlineData("POST", "/api/v1/incidents", "{\"type\":\"Flood\",\"title\":\"x\",\"location\":{\"lat\":23.4,\"lon\":113.2},\"occurredAt\":\"2026-11-29T08:00:00+08:00\",\"source\":\"console\",\"assessment\":{\"dead\":99999999999}}")]
    [InlineData("POST", "/api/v1/incidents", "null")]
    [InlineData("POST", "/api/v1/teams/D01/status", "{\"status\":\"EnRoute\",\"position\":null,\"occurredAt\":\"yesterday\"}")]
    [InlineData("POST", "/api/v1/teams/D01/position", "{}")]
    [InlineData("POST", "/api/v1/warehouses/WH-REG/stock-movements", "{\"itemCode\":\"blanket\",\"quantity\":1e30,\"kind\":\"Receive\",\"reason\":\"x\"}")]
    [InlineData("POST", "/api/v1/shipments/SHP-NOPE/status", "{\"status\":\"Delivered\",\"received\":[null]}")]
    [InlineData("POST", "/api/v1/shelters/S001/occupancy", "{\"occupancy\":\"many\"}")]
    public async Task Malformed_bodies_get_a_4xx_problem_never_a_500(string method, string path, string body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var response = await _node.ClientAs(Roles.Admin).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{\"affected\":2147483647}", "2026-12-04T08:00:00+08:00", 23.4, 113.2, "assessment.affected")]
    [InlineData("{\"relocated\":10000001}", "2026-12-04T08:00:00+08:00", 23.4, 113.2, "assessment.relocated")]
    [InlineData("{}", "2026-12-04T08:00:00+08:00", 0, 0, "location")]
    [InlineData("{}", "2026-12-04T08:00:00+08:00", 22.54, 114.06, "location")]
    [InlineData("{}", "0001-01-01T00:00:00Z", 23.4, 113.2, "occurredAt")]
    [InlineData("{}", "1970-01-01T00:00:00Z", 23.4, 113.2, "occurredAt")]
    public async Task Implausible_reports_are_a_400_naming_the_field_and_create_nothing(string assessment, string occurredAt, double lat, double lon, string field)
    {
        var admin = _node.ClientAs(Roles.Admin);
        var before = (await admin.GetOk<List<IncidentSummary>>("/api/v1/incidents")).Count;
        // Today's report of an incident this morning, so that only the field under test is implausible.
        occurredAt = occurredAt.StartsWith("2026-12-04", StringComparison.Ordinal) ? DateTimeOffset.UtcNow.AddMinutes(-30).ToString("O") : occurredAt;
        var body = $"{{\"type\":\"Flood\",\"title\":\"x\",\"location\":{{\"lat\":{lat.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"lon\":{lon.ToString(System.Globalization.CultureInfo.InvariantCulture)}}},\"occurredAt\":\"{occurredAt}\",\"source\":\"console\",\"assessment\":{assessment}}}";
        var response = await admin.PostAsync("/api/v1/incidents", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblem();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, (await admin.GetOk<List<IncidentSummary>>("/api/v1/incidents")).Count);
    }

    [Fact]
    public async Task A_new_assessment_beyond_the_limits_is_a_400_and_the_figures_stay()
    {
        var admin = _node.ClientAs(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title = "x", location = new { lat = 23.4, lon = 113.2 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "console",
            assessment = new { affected = 300 },
        });
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        var response = await admin.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { affected = 300, relocated = 2147483647 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("relocated", (await response.ReadProblem()).GetProperty("detail").GetString());
        Assert.Equal(0, (await admin.GetOk<Incident>($"/api/v1/incidents/{incident.Id}")).Assessment.Relocated);
    }

    [Fact]
    public async Task A_refused_change_does_not_fail_the_valid_changes_queued_behind_it_on_the_same_incident()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var commander = _node.ClientAs(Roles.Commander);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "RoadTrafficAccident", title = "Contention", location = new { lat = 23.4, lon = 113.2 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "console",
        });
        var id = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;

        // Refused transitions (Reported -> Closed) interleaved with valid assessments. Before the twenty-third session each
        // refusal dropped the incident's activation, and the calls queued behind it were rejected: 503 "a node went away".
        for (var round = 0; round < 6; round++)
        {
            var calls = Enumerable.Range(1, 8).SelectMany(i => new[]
            {
                dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/transitions", new { to = "Closed", reason = "not allowed from Reported" }),
                commander.PostAsJsonAsync($"/api/v1/incidents/{id}/assessments", new { injured = round * 10 + i }),
            }).ToList();
            var answers = await Task.WhenAll(calls);
            Assert.Equal(Enumerable.Repeat(HttpStatusCode.Conflict, 8), answers.Where((_, k) => k % 2 == 0).Select(a => a.StatusCode));
            Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 8), answers.Where((_, k) => k % 2 == 1).Select(a => a.StatusCode));
        }
        // Every accepted assessment was applied in turn: the last one's figure is there, and nothing a refusal touched.
        var incident = await dispatcher.GetOk<Incident>($"/api/v1/incidents/{id}");
        Assert.Equal(IncidentStatus.Reported, incident.Status);
        Assert.InRange(incident.Assessment.Injured, 51, 58);
    }

    [Fact]
    public async Task An_assessment_of_some_figures_keeps_the_others_and_the_relief_keeps_its_people()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title = "Village flooded", location = new { lat = 23.4, lon = 113.2 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source = "console", assessment = new { affected = 150, relocated = 140 },
        });
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;

        // A field report of two people trapped: before the twenty-second session it set affected and relocated to 0, which
        // closed the relief and emptied the shelters.
        var trapped = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { trapped = 2 });
        Assert.Equal(HttpStatusCode.OK, trapped.StatusCode);
        var assessed = (await trapped.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Assessment;
        Assert.Equal((2, 150, 140), (assessed.Trapped, assessed.Affected, assessed.Relocated));
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        Assert.Equal((150, 140), (relief.Affected, relief.Relocated));

        // Checked as amended, naming the field; nothing changes.
        var more = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { relocated = 200 });
        Assert.Equal(HttpStatusCode.BadRequest, more.StatusCode);
        var problem = await more.ReadProblem();
        Assert.Contains("relocated (200) is more than affected (150)", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("relocated", out _), problem.ToString());
        var none = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { affected = (int?)null });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(140, (await dispatcher.GetOk<Incident>($"/api/v1/incidents/{incident.Id}")).Assessment.Relocated);
    }

    [Fact]
    public async Task A_missing_or_null_body_is_a_400_in_words_for_the_client()
    {
        foreach (var body in new[] { "null", "" })
        {
            var response = await _node.ClientAs(Roles.Admin).PostAsync("/api/v1/incidents", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var detail = (await response.ReadProblem()).GetProperty("detail").GetString();
            Assert.Equal("a JSON object is required as the body; the request had none, or it was null", detail);
        }
    }

    [Fact]
    public async Task A_query_value_of_the_wrong_type_or_holding_a_NUL_is_a_400_naming_the_parameter()
    {
        var viewer = _node.ClientAs(Roles.Viewer);
        var response = await viewer.GetAsync("/api/v1/shelters?open=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblem();
        Assert.True(problem.GetProperty("errors").TryGetProperty("open", out _));
        Assert.Equal("'maybe' is not a valid open: expected true or false", problem.GetProperty("detail").GetString());

        response = await _node.ClientAs(Roles.Dispatcher).GetAsync("/api/v1/relief/requests/edxl-rm?incidentId=INC-%00");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        problem = await response.ReadProblem();
        Assert.True(problem.GetProperty("errors").TryGetProperty("incidentId", out _));
        Assert.Contains("NUL", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_filter_value_is_a_400_naming_the_field()
    {
        var response = await _node.ClientAs(Roles.Viewer).GetAsync("/api/v1/risk-points?colour=Purple");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblem();
        Assert.True(problem.GetProperty("errors").TryGetProperty("colour", out _));
    }

    [Fact]
    public async Task Risk_point_filter_by_colour_returns_the_plan_counts()
    {
        var viewer = _node.ClientAs(Roles.Viewer);
        Assert.Single(await viewer.GetOk<List<RiskPoint>>("/api/v1/risk-points?colour=Red"));
        Assert.Equal(3, (await viewer.GetOk<List<RiskPoint>>("/api/v1/risk-points?colour=Orange")).Count);
        Assert.Equal(27, (await viewer.GetOk<List<RiskPoint>>("/api/v1/risk-points?colour=Yellow")).Count);
        Assert.Equal(120, (await viewer.GetOk<List<RiskPoint>>("/api/v1/risk-points?colour=Blue")).Count);
    }
}
