using HuaduDispatch.Contracts;
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

    [Fact]
    public void The_plan_in_force_carried_on_serves_a_new_incident_from_what_it_leaves_and_keeps_its_own_loads()
    {
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var far = Warehouse("WH-FAR", East(20), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var a = Demand("A", East(0), priority: 1, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var c = Demand("C", East(1), priority: 4, people: 20, ThreeHours, ("water", 20), ("blanket", 20)); // reported after the plan
        var problem = ReliefProblem.Create([a, c], [near, far], items, Now, Travel, Exact);
        // The plan in force sends A its kit from the near warehouse. Greedy from scratch would give the near one to C, the higher
        // priority, and A the far one: as many people, but both convoys changed.
        var start = problem.Kept([new("A", "WH-NEAR", "water", 50), new("A", "WH-NEAR", "blanket", 50)]);

        var carried = problem.Assemble(GreedyReliefPlanner.Extend(problem, start), ReliefPlanStatus.Feasible); // throws on a breach

        var lines = carried.Allocations.Select(l => (l.DemandId, l.WarehouseId, l.ItemCode, l.Quantity)).OrderBy(l => l).ToList();
        Assert.Equal([("A", "WH-NEAR", "blanket", 50L), ("A", "WH-NEAR", "water", 50L), ("C", "WH-FAR", "blanket", 20L), ("C", "WH-FAR", "water", 20L)], lines);
        Assert.Equal(70, carried.PeopleCovered);
    }

    [Fact]
    public void The_plan_in_force_carried_on_brings_a_reassessed_incident_the_rest_of_its_kit_from_another_warehouse()
    {
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var far = Warehouse("WH-FAR", East(20), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        // A had 40 people, all covered from the far warehouse; reassessed, it has 50.
        var a = Demand("A", East(0), priority: 2, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var problem = ReliefProblem.Create([a], [near, far], items, Now, Travel, Exact);
        var start = problem.Kept([new("A", "WH-FAR", "water", 40), new("A", "WH-FAR", "blanket", 40)]);
        Assert.Equal(40, problem.Assemble(start, ReliefPlanStatus.Feasible).PeopleCovered);

        var carried = problem.Assemble(GreedyReliefPlanner.Extend(problem, start), ReliefPlanStatus.Feasible);

        // The convoy in force stays as it is, and the rest comes on a second one (greedy from scratch would send all from the near one).
        var lines = carried.Allocations.Select(l => (l.WarehouseId, l.ItemCode, l.Quantity)).OrderBy(l => l).ToList();
        Assert.Equal([("WH-FAR", "blanket", 40L), ("WH-FAR", "water", 40L), ("WH-NEAR", "blanket", 10L), ("WH-NEAR", "water", 10L)], lines);
        Assert.Equal(50, carried.PeopleCovered);
    }

    [Fact]
    public void The_plan_in_force_carried_on_keeps_every_load_it_is_given_and_never_breaks_stock_trucks_or_kits_on_300_random_instances()
    {
        var rng = new Random(20261205);
        for (var n = 0; n < 300; n++)
        {
            var instance = LateReliefTests.LateInstance(rng);
            var problem = ReliefProblem.Create(instance.Demands, instance.Warehouses, instance.Items, Now, Travel, Exact);
            // A plan in force: some of the routes of a random plan, cut to what holds (as a re-plan gives it).
            var loads = new List<ReliefLoad>();
            foreach (var route in problem.Routes.Where(_ => rng.Next(3) == 0))
            {
                var (w, d) = (problem.Warehouses[route.Warehouse], problem.Demands[route.Demand]);
                loads.AddRange(d.Kit.Where(k => w.Available.ContainsKey(k.Key) && rng.Next(3) > 0)
                    .Select(k => new ReliefLoad(d.DemandId, w.Id, k.Key, rng.Next(1, (int)k.Value + 1))));
            }
            var start = problem.Kept(loads);
            var before = problem.Assemble(start, ReliefPlanStatus.Feasible);

            var extended = GreedyReliefPlanner.Extend(problem, start);
            var after = problem.Assemble(extended, ReliefPlanStatus.Feasible); // throws on more trucks or stock than a warehouse has

            for (var r = 0; r < start.Length; r++)
                if (start[r] is { } load) Assert.Equal(load, extended[r]);
            Assert.True(after.PeopleCoveredWeighted >= before.PeopleCoveredWeighted, $"instance {n}: {after.PeopleCoveredWeighted} < {before.PeopleCoveredWeighted}");
            foreach (var d in instance.Demands)
                foreach (var (item, kit) in d.Kit)
                {
                    var sent = after.Allocations.Where(a => a.DemandId == d.DemandId && a.ItemCode == item).Sum(a => a.Quantity);
                    var given = before.Allocations.Where(a => a.DemandId == d.DemandId && a.ItemCode == item).Sum(a => a.Quantity);
                    Assert.True(sent <= Math.Max(kit, given), $"instance {n}: {sent} {item} for {d.DemandId}, whose kit is {kit}");
                }
            AssertKeepsStockFleetAndDeadlines(after, instance, Exact, $"instance {n}");
        }
    }

    [Fact]
    public void A_surge_re_plan_that_finds_nothing_better_keeps_the_plan_in_force_and_serves_a_new_incident_beside_it()
    {
        // The first test's district, planned as a surge (ExactModelLimit 1) cut after one tick: its search finds nothing that
        // covers more than the plan in force carried on (70 people, as greedy from scratch), so the convoy to A stays where it is.
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var far = Warehouse("WH-FAR", East(20), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var a = Demand("A", East(0), priority: 1, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var c = Demand("C", East(1), priority: 4, people: 20, ThreeHours, ("water", 20), ("blanket", 20));
        var surge = new ReliefPlannerOptions { TimeLimit = TimeSpan.FromTicks(1), ExactModelLimit = 1 };
        var fromScratch = Optimal(surge).Plan([a, c], [near, far], items, Now);
        Assert.Contains(fromScratch.Allocations, l => l.DemandId == "A" && l.WarehouseId == "WH-FAR"); // the case this test is about

        var replan = Optimal(surge).Plan([a, c], [near, far], items, Now, [new("A", "WH-NEAR", "water", 50), new("A", "WH-NEAR", "blanket", 50)]);

        var routes = replan.Allocations.Select(l => (l.DemandId, l.WarehouseId)).Distinct().OrderBy(r => r).ToList();
        Assert.Equal([("A", "WH-NEAR"), ("C", "WH-FAR")], routes);
        Assert.Equal(70, replan.PeopleCovered);
    }

    [Theory]
    [InlineData(5, 10, false)]  // 5 more weighted people for the one convoy it withdraws: not enough at 10 per convoy
    [InlineData(30, 10, true)]  // 30 more: enough
    [InlineData(5, 0, true)]    // GainPerWithdrawnConvoy 0: any gain
    public void A_surge_re_plan_withdraws_a_convoy_in_force_only_for_enough_more_people(int peopleAtB, double gainPerConvoy, bool withdrawn)
    {
        // The near warehouse's one truck goes to A in the plan in force (as greedy, A first by priority, would send it). A plan
        // from scratch sends it to B, which only it reaches in time, and serves A from the far one: B's people more, for the
        // convoy near -> A withdrawn.
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var far = Warehouse("WH-FAR", East(-40), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var a = Demand("A", East(0), priority: 2, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var b = Demand("B", East(4), priority: 1, people: peopleAtB, TimeSpan.FromMinutes(45), ("water", peopleAtB), ("blanket", peopleAtB));
        var surge = new ReliefPlannerOptions { TimeLimit = TimeSpan.FromSeconds(2), ExactModelLimit = 1, GainPerWithdrawnConvoy = gainPerConvoy };
        var problem = ReliefProblem.Create([a, b], [near, far], items, Now, Travel, surge);
        Assert.DoesNotContain(problem.Routes, r => problem.Warehouses[r.Warehouse].Id == "WH-FAR" && problem.Demands[r.Demand].DemandId == "B");
        var fromScratch = Optimal(surge).Plan([a, b], [near, far], items, Now);
        Assert.Equal([("A", "WH-FAR"), ("B", "WH-NEAR")], Routes(fromScratch)); // the case this test is about

        var replan = Optimal(surge).Plan([a, b], [near, far], items, Now, [new("A", "WH-NEAR", "water", 50), new("A", "WH-NEAR", "blanket", 50)]);

        if (withdrawn)
        {
            Assert.Equal([("A", "WH-FAR"), ("B", "WH-NEAR")], Routes(replan));
            Assert.Equal(50 + peopleAtB, replan.PeopleCovered);
            Assert.Null(replan.KeptInForce);
        }
        else
        {
            Assert.Equal([("A", "WH-NEAR")], Routes(replan));
            Assert.Equal(50, replan.PeopleCovered);
            Assert.True(replan.CoverageUpperBound >= fromScratch.PeopleCoveredWeighted, $"the bound {replan.CoverageUpperBound} is below the plan from scratch");
            // The plan says what it gave up: the one convoy, and B's people.
            Assert.Equal(new ReliefPlanKeptInForce { Convoys = 1, WeightedPeopleForgone = peopleAtB, PeopleForgone = peopleAtB }, replan.KeptInForce);
        }
    }

    [Theory]
    [InlineData(false)] // both before their deadline: the plan for the deadline keeps its plan in force
    [InlineData(true)]  // both past it: the late solve does
    public void Late_relief_reports_a_plan_in_force_kept_by_either_solve(bool pastDeadline)
    {
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var far = Warehouse("WH-FAR", East(-40), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var a = Demand("A", East(0), priority: 2, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var b = Demand("B", East(4), priority: 1, people: 5, TimeSpan.FromMinutes(45), ("water", 5), ("blanket", 5));
        var lateUntil = new Dictionary<string, DateTimeOffset> { ["A"] = a.Deadline, ["B"] = b.Deadline };
        if (pastDeadline)
        {
            // Reported after their deadlines: planned late, until the same moments.
            (a, b) = (a with { Deadline = Now.AddMinutes(-1) }, b with { Deadline = Now.AddMinutes(-1) });
        }
        var surge = new ReliefPlannerOptions { TimeLimit = TimeSpan.FromSeconds(2), ExactModelLimit = 1, LaterSolvesShare = 1 };

        var plan = LateRelief.Plan(Optimal(surge), [a, b], lateUntil, [near, far], items, Now,
            [new("A", "WH-NEAR", "water", 50), new("A", "WH-NEAR", "blanket", 50)]);

        Assert.Equal([("A", "WH-NEAR")], Routes(plan));
        Assert.Equal(new ReliefPlanKeptInForce { Convoys = 1, WeightedPeopleForgone = 5, PeopleForgone = 5 }, plan.KeptInForce);
    }

    [Theory]
    [InlineData(10, "WH-FAR")]  // the plan in force stays: nobody more is covered
    [InlineData(0, "WH-NEAR")]  // GainPerWithdrawnConvoy 0: the optimum's fewer ton-km
    public void An_exact_re_plan_covering_no_more_people_keeps_the_convoy_in_force_rather_than_save_ton_km(double gainPerConvoy, string from)
    {
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var far = Warehouse("WH-FAR", East(15), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var a = Demand("A", East(0), priority: 2, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var options = Exact with { GainPerWithdrawnConvoy = gainPerConvoy };
        Assert.Equal([("A", "WH-NEAR")], Routes(Optimal(options).Plan([a], [near, far], items, Now))); // from scratch: the nearer

        // The plan in force sends A's kit from the far warehouse (the near one had no stock then).
        var replan = Optimal(options).Plan([a], [near, far], items, Now, [new("A", "WH-FAR", "water", 50), new("A", "WH-FAR", "blanket", 50)]);

        Assert.Equal([("A", from)], Routes(replan));
        Assert.Equal(50, replan.PeopleCovered);
        Assert.Null(replan.KeptInForce); // nothing given up in people
    }

    /// <summary>
    /// A's kit comes from the near warehouse. C's water goes from WH-X, but no blanket can reach C: that convoy covers nobody.
    /// The better plan sends WH-X's one truck to B instead: 5 more weighted people, less than 10 for the convoy it withdraws.
    /// </summary>
    private static (List<ReliefDemandInput> Demands, List<ReliefWarehouse> Warehouses, Dictionary<string, ReliefItemSpec> Items,
        List<ReliefLoad> InForce, ReliefProblem Problem, ReliefPlanResult Better) NobodyRelievedByC()
    {
        var items = Items(("water", 10, 0.01), ("blanket", 2, 0.01));
        var near = Warehouse("WH-NEAR", East(2), trucks: 1, capacityKg: 1000, ("water", 100), ("blanket", 100));
        var x = Warehouse("WH-X", East(-3), trucks: 1, capacityKg: 1000, ("water", 100));
        var a = Demand("A", East(0), priority: 2, people: 50, ThreeHours, ("water", 50), ("blanket", 50));
        var b = Demand("B", East(-4), priority: 1, people: 5, ThreeHours, ("water", 5));
        var c = Demand("C", East(-5), priority: 3, people: 20, ThreeHours, ("water", 20), ("blanket", 20));
        List<ReliefLoad> inForce = [new("A", "WH-NEAR", "water", 50), new("A", "WH-NEAR", "blanket", 50), new("C", "WH-X", "water", 20)];
        var problem = ReliefProblem.Create([a, b, c], [near, x], items, Now, Travel, Exact);
        var better = problem.Assemble(problem.Kept([new("A", "WH-NEAR", "water", 50), new("A", "WH-NEAR", "blanket", 50), new("B", "WH-X", "water", 5)]),
            ReliefPlanStatus.Optimal);
        return ([a, b, c], [near, x], items, inForce, problem, better);
    }

    [Fact]
    public void A_convoy_in_force_that_relieves_nobody_is_withdrawn_for_any_gain()
    {
        // The better plan's 5 weighted people are less than 10 for the convoy it withdraws, but that convoy relieved nobody.
        var (demands, warehouses, items, inForce, problem, better) = NobodyRelievedByC();
        var planner = Optimal(Exact with { GainPerWithdrawnConvoy = 10 });
        Assert.Equal(105, better.PeopleCoveredWeighted);

        var steady = planner.Steady(demands, warehouses, items, Now, inForce, better);

        Assert.Same(better, steady);
        // A convoy that does relieve people still counts: an answer that drops A's convoy for no more people leaves the plan in
        // force (carried on: B gets WH-X's truck, which the plan in force left free).
        var withoutA = problem.Assemble(problem.Kept([new("B", "WH-X", "water", 5)]), ReliefPlanStatus.Optimal) with { PeopleCoveredWeighted = 105 };
        var kept = planner.Steady(demands, warehouses, items, Now, [new("A", "WH-NEAR", "water", 50), new("A", "WH-NEAR", "blanket", 50)], withoutA);
        Assert.Equal([("A", "WH-NEAR"), ("B", "WH-X")], Routes(kept));
    }

    [Fact]
    public void In_a_later_solve_a_convoy_in_force_that_completes_nobodys_kit_still_counts()
    {
        // The case above, solved as late relief or partial kits are: C's water is what C gets, and the better plan's 5 weighted
        // people are not worth withdrawing it at 10 per convoy.
        var (demands, warehouses, items, inForce, _, better) = NobodyRelievedByC();
        var later = Assert.IsType<OptimalReliefPlanner>(Optimal(Exact with { GainPerWithdrawnConvoy = 10 }).ForLaterSolves());

        var steady = later.Steady(demands, warehouses, items, Now, inForce, better);

        Assert.Equal([("A", "WH-NEAR"), ("C", "WH-X")], Routes(steady));
        Assert.Equal(100, steady.PeopleCoveredWeighted);
        Assert.Equal(new ReliefPlanKeptInForce { Convoys = 1, WeightedPeopleForgone = 5, PeopleForgone = 5 }, steady.KeptInForce);
    }

    [Fact]
    public void A_new_incident_takes_one_truck_of_the_plan_in_force_rather_than_every_convoy_moving_for_fewer_ton_km()
    {
        // Four depots, each with one truck and 100 water, send their truck to the incident next to them (1.0 km). A new incident
        // N of twice the priority is reported beyond the first depot. Every plan covering the most people (N and three of the
        // four) sends one depot to N; the fewest ton-km shifts every depot one place to its left (0.9 km each), withdrawing all
        // four convoys in force. The plan near the plan in force moves one truck: 10 weighted people per convoy are worth more
        // than the 0.1 km each saves.
        var items = Items(("water", 1, 0.001));
        List<ReliefWarehouse> depots = [.. Enumerable.Range(1, 4).Select(i =>
            Warehouse($"W{i}", East(0.9 + 1.9 * (i - 1)), trucks: 1, capacityKg: 100, ("water", 100)))];
        List<ReliefDemandInput> incidents = [.. Enumerable.Range(1, 4).Select(i =>
            Demand($"D{i}", East(1.9 + 1.9 * (i - 1)), priority: 1, people: 100, ThreeHours, ("water", 100)))];
        var inForce = Enumerable.Range(1, 4).Select(i => new ReliefLoad($"D{i}", $"W{i}", "water", 100)).ToList();
        var reported = Demand("N", East(0), priority: 2, people: 100, ThreeHours, ("water", 100));
        List<ReliefDemandInput> demands = [reported, .. incidents];

        var fresh = Optimal().Plan(demands, depots, items, Now);
        Assert.Equal(500, fresh.PeopleCoveredWeighted, 6);
        Assert.DoesNotContain(Routes(fresh), r => inForce.Any(l => (l.DemandId, l.WarehouseId) == r)); // the case this test is about

        var replan = Optimal().Plan(demands, depots, items, Now, inForce);

        Assert.Equal(500, replan.PeopleCoveredWeighted, 6);
        Assert.Equal(100, replan.CoveredByDemand["N"]);
        var kept = inForce.Where(l => Routes(replan).Contains((l.DemandId, l.WarehouseId))).ToList();
        Assert.Equal(3, kept.Count);
        AssertKeepsStockFleetAndDeadlines(replan, new Instance(demands, depots, items), Exact, "re-plan");
    }

    [Theory]
    [InlineData(60, "WH-READY")] // the nearer one mobilises for an hour: the water in force stays on the convoy arriving first
    [InlineData(0, "WH-NEAR")]   // the nearer one is ready too: its water arrives sooner, and the re-plan sends it
    public void A_re_plan_covering_as_many_moves_a_load_in_force_for_fewer_ton_km_only_onto_a_convoy_arriving_no_later(int mobilisationMinutes,
        string waterFrom)
    {
        // An exploratory test on a node saw a re-plan move water and lamps off convoys in force onto a new convoy from a
        // warehouse still mobilising, arriving 28 minutes later, to save 1.8 km: the convoys it moved them off kept other
        // loads, so nothing was withdrawn, and the answer won the tie with the plan in force.
        var items = Items(("water", 10, 0.01), ("food", 2, 0.01));
        var ready = Warehouse("WH-READY", East(10), trucks: 1, capacityKg: 1000, ("water", 100), ("food", 100));
        var near = Warehouse("WH-NEAR", East(8), trucks: 1, capacityKg: 1000, ("water", 100)) with
        {
            Mobilisation = TimeSpan.FromMinutes(mobilisationMinutes),
        };
        var a = Demand("A", East(0), priority: 2, people: 50, ThreeHours, ("water", 50), ("food", 50));
        List<ReliefLoad> inForce = [new("A", "WH-READY", "water", 50), new("A", "WH-READY", "food", 50)];
        var fresh = Optimal().Plan([a], [ready, near], items, Now);
        Assert.Equal([("A", "WH-NEAR")], fresh.Allocations.Where(x => x.ItemCode == "water").Select(x => (x.DemandId, x.WarehouseId))); // fewer ton-km

        var replan = Optimal().Plan([a], [ready, near], items, Now, inForce);

        Assert.Equal(50, replan.CoveredByDemand["A"]);
        Assert.Equal([("A", waterFrom)], replan.Allocations.Where(x => x.ItemCode == "water").Select(x => (x.DemandId, x.WarehouseId)));
        Assert.Equal([("A", "WH-READY")], replan.Allocations.Where(x => x.ItemCode == "food").Select(x => (x.DemandId, x.WarehouseId)));
        Assert.Null(replan.KeptInForce); // no people given up either way
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_gain_per_withdrawn_convoy_that_is_negative_or_not_a_number_is_refused(double gain) =>
        Assert.Throws<ArgumentException>(() => Optimal(Exact with { GainPerWithdrawnConvoy = gain }));

    private static List<(string DemandId, string WarehouseId)> Routes(ReliefPlanResult plan) =>
        [.. plan.Allocations.Select(l => (l.DemandId, l.WarehouseId)).Distinct().OrderBy(r => r)];
}
