using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.IntegrationTests;

internal static class ApiAssertions
{
    public static async Task<T> GetOk<T>(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<T>(body, DispatchJson.Options)!;
    }

    /// <summary>Polls GET /api/v1/relief/plan (up to 15 s) until <paramref name="ready"/> holds; the last plan is in the timeout's message.</summary>
    public static async Task<ReliefPlan> WaitForReliefPlan(this HttpClient client, Func<ReliefPlan, bool> ready)
    {
        ReliefPlan? plan = null;
        for (var i = 0; i < 150; i++)
        {
            var response = await client.GetAsync("/api/v1/relief/plan");
            plan = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options) : null;
            if (plan is not null && ready(plan)) return plan;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no such plan; last: {JsonSerializer.Serialize(plan, DispatchJson.Options)}");
    }

    /// <summary>
    /// The convoys <paramref name="plan"/> sends to the incident of <paramref name="relief"/>, as its relief lists them: those
    /// its allocations name. Not those whose PlanId is the plan's: a convoy a re-plan leaves as it is keeps the PlanId of the
    /// plan that created it.
    /// </summary>
    public static List<Shipment> ConvoysOf(this ReliefPlan plan, IncidentRelief relief)
    {
        var ids = plan.Allocations.Where(a => a.IncidentId == relief.IncidentId).Select(a => a.ShipmentId).ToHashSet(StringComparer.Ordinal);
        return [.. relief.Shipments.Where(s => ids.Contains(s.Id))];
    }

    /// <summary>The reference figures the plan sets, as the API shows them.</summary>
    public static async Task AssertPlanFigures(HttpClient dispatcher)
    {
        var areas = await dispatcher.GetOk<List<Area>>("/api/v1/areas");
        var teams = await dispatcher.GetOk<List<RescueTeam>>("/api/v1/teams");
        var shelters = await dispatcher.GetOk<List<Shelter>>("/api/v1/shelters");
        var risks = await dispatcher.GetOk<List<RiskPoint>>("/api/v1/risk-points");
        Assert.Equal(12, areas.Count);
        Assert.Equal(26, teams.Count);
        Assert.Equal(412, teams.Sum(t => t.Members));
        Assert.Equal(26, teams.Select(t => t.Id).Distinct().Count());
        Assert.Equal(139, shelters.Count);
        Assert.Equal(151, risks.Count);
    }

    public static async Task<JsonElement> ReadProblem(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
