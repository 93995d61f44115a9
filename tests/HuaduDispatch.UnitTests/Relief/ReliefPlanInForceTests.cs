using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>
/// A re-plan is given the plan in force (the loads of the convoys it replaces): it never covers fewer weighted people than what
/// of that plan still holds, however short its budget, and it keeps nothing that no longer holds.
/// </summary>
public sealed class ReliefPlanInForceTests
{
    private static List<ReliefLoad> Loads(ReliefPlanResult plan) =>
        [.. plan.Allocations.Select(a => new ReliefLoad(a.DemandId, a.WarehouseId, a.ItemCode, a.Quantity))];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_re_plan_cut_short_by_its_budget_covers_at_least_what_the_plan_in_force_covers(bool wholeModel)
    {
        // 120 demands x 60 warehouses x 20 items. Cut after one tick, a plan from scratch has no LP point and little search (the
        // surge path), or no MIP solution (the whole model as one MIP, forced with ExactModelLimit), so it lands at or near the
        // greedy plan, far below the plan a 1 s budget found.
        var (demands, warehouses, items) = ReliefPlannerTests.HugeSurge();
        var instance = new Instance(demands, warehouses, items);
        var cut = new ReliefPlannerOptions { TimeLimit = TimeSpan.FromTicks(1), ExactModelLimit = wholeModel ? int.MaxValue : 2000 };
        var inForce = Optimal(new ReliefPlannerOptions { TimeLimit = TimeSpan.FromSeconds(1) }).Plan(demands, warehouses, items, Now);

        var fromScratch = Optimal(cut).Plan(demands, warehouses, items, Now);
        var replan = Optimal(cut).Plan(demands, warehouses, items, Now, Loads(inForce));

        Assert.True(fromScratch.PeopleCoveredWeighted < inForce.PeopleCoveredWeighted,
            $"from scratch a one-tick plan covers {fromScratch.PeopleCoveredWeighted:0}, the plan in force {inForce.PeopleCoveredWeighted:0}: " +
            "the case this test is about does not arise");
        Assert.True(replan.PeopleCoveredWeighted >= inForce.PeopleCoveredWeighted - 1e-9,
            $"the re-plan covers {replan.PeopleCoveredWeighted:0} weighted people, the plan in force {inForce.PeopleCoveredWeighted:0}");
        AssertKeepsStockFleetAndDeadlines(replan, instance, cut, "re-plan");
        Assert.True(replan.CoverageUpperBound >= replan.PeopleCoveredWeighted - 1e-6);
    }

    [Fact]
    public void What_no_longer_holds_of_the_plan_in_force_is_cut_stock_kit_trucks_and_deadlines()
    {
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 40), ("blanket", 100));
        var far = Warehouse("WH-FAR", East(60), trucks: 2, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var urgent = Demand("A", East(0), priority: 4, people: 50, ThreeHours, ("water", 50), ("blanket", 30));
        var other = Demand("B", East(1), priority: 1, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var inForce = new List<ReliefLoad>
        {
            new("A", "WH-NEAR", "water", 50),      // more than WH-NEAR now holds (40)
            new("A", "WH-NEAR", "blanket", 45),    // more than A's kit now (30)
            new("B", "WH-NEAR", "blanket", 10),    // WH-NEAR's one truck already goes to A, the higher priority
            new("B", "WH-FAR", "water", 20),       // WH-FAR no longer arrives by B's deadline (below)
            new("GONE", "WH-NEAR", "water", 5),    // a demand no longer planned
            new("A", "WH-GONE", "water", 5),       // a warehouse no longer in the plan
            new("A", "WH-NEAR", "tent", 5),        // an item no longer needed
        };
        var lateB = other with { Deadline = Now + TimeSpan.FromMinutes(40) };
        var problem = ReliefProblem.Create([urgent, lateB], [near, far], items, Now, Travel, Exact);
        Assert.DoesNotContain(problem.Routes, r => problem.Warehouses[r.Warehouse].Id == "WH-FAR" && problem.Demands[r.Demand].DemandId == "B");

        var kept = problem.Kept(inForce);
        var plan = problem.Assemble(kept, ReliefPlanStatus.Feasible); // throws on a breach of stock or fleet

        var lines = plan.Allocations.Select(a => (a.DemandId, a.WarehouseId, a.ItemCode, a.Quantity)).OrderBy(l => l.ItemCode).ToList();
        Assert.Equal([("A", "WH-NEAR", "blanket", 30L), ("A", "WH-NEAR", "water", 40L)], lines);
        AssertKeepsStockFleetAndDeadlines(plan, new Instance([urgent, lateB], [near, far], items), Exact, "kept");
    }
}
