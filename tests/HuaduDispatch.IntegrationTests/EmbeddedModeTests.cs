using System.Net;
using System.Net.Http.Headers;
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
    public async Task Health_probes_answer_without_a_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await _node.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _node.Http.GetAsync("/health/ready")).StatusCode);
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
