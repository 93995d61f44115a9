using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ReliefPlanSummaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    private static ReliefAllocationView Line(string shipment, string item) => new()
    {
        WarehouseId = "W1", IncidentId = "INC-A", ItemCode = item, Quantity = 10, Departure = Now, Eta = Now.AddHours(1), DistanceKm = 12, ShipmentId = shipment,
    };

    private static ReliefShortfall Short(string incident, string item, string reason) => new()
    {
        IncidentId = incident, ItemCode = item, Missing = 5, Reason = reason, Detail = "",
    };

    [Fact]
    public void Counts_convoys_shortfalls_by_reason_incidents_short_escalations_and_trucks_held()
    {
        var plan = new ReliefPlan
        {
            PlanId = 7, ComputedAt = Now, Solver = "Optimal", Demands = 3, PeopleCovered = 1200, PeopleCoveredWeighted = 3100.5, TonKm = 88.25,
            Allocations = [Line("SHP-7-A-W1", "water"), Line("SHP-7-A-W1", "meals"), Line("SHP-7-B-W2", "water")],
            Shortfalls = [Short("INC-C", "tent", "TooFar"), Short("INC-B", "water", "StockShort"), Short("INC-B", "meals", "StockShort")],
            Escalations = ["one", "two", "three"],
            TrucksInUse = [new TrucksInUse { WarehouseId = "W1", Trucks = 2 }, new TrucksInUse { WarehouseId = "W3", Trucks = 3 }],
        };
        var failure = new ReliefSolveFailure { At = Now, Error = "InvalidOperationException: ABNORMAL", Attempts = 2, RetryAt = Now.AddSeconds(10) };

        var summary = ReliefPlanSummaries.Of(plan, failure);

        Assert.Equal(7, summary.PlanId);
        Assert.Equal(Now, summary.ComputedAt);
        Assert.Equal("Optimal", summary.Solver);
        Assert.Equal((3, 1200, 3100.5, 88.25), (summary.Demands, summary.PeopleCovered, summary.PeopleCoveredWeighted, summary.TonKm));
        Assert.Equal(2, summary.Shipments);
        Assert.Equal(3, summary.Shortfalls);
        Assert.Equal(new Dictionary<string, int> { ["StockShort"] = 2, ["TooFar"] = 1 }, summary.ShortfallsByReason);
        Assert.Equal(["INC-B", "INC-C"], summary.IncidentsShort);
        Assert.Equal(3, summary.Escalations);
        Assert.Equal(5, summary.TrucksInUse);
        Assert.Same(failure, summary.LastSolveFailure);
    }

    [Fact]
    public void Before_any_plan_it_carries_only_the_failure_and_reads_as_camel_case_json()
    {
        var failure = new ReliefSolveFailure { At = Now, Error = "boom", Attempts = 1, RetryAt = Now.AddSeconds(5) };
        var summary = ReliefPlanSummaries.Of(null, failure);
        Assert.Null(summary.PlanId);
        Assert.Equal(0, summary.PeopleCovered);
        Assert.Empty(summary.IncidentsShort);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(summary, DispatchJson.Options));
        Assert.Equal(1, json.RootElement.GetProperty("lastSolveFailure").GetProperty("attempts").GetInt32());
        Assert.True(json.RootElement.TryGetProperty("shortfallsByReason", out _));
        Assert.Equal(summary, JsonSerializer.Deserialize<ReliefPlanSummary>(json.RootElement.GetRawText(), DispatchJson.Options)! with
        {
            ShortfallsByReason = summary.ShortfallsByReason, IncidentsShort = summary.IncidentsShort,
        });
    }
}
