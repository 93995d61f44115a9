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
