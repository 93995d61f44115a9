using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ReliefPlannerTests
{
    // ---- exactness against exhaustive search -------------------------------------------------------------------------------

    [Fact]
    public void Optimal_weighted_coverage_and_ton_km_equal_exhaustive_search_on_150_small_random_instances()
    {
        var rng = new Random(20260715);
        var optimal = Optimal();
        var positive = 0;
        for (var n = 0; n < 150; n++)
        {
            var instance = RandomInstance(rng);
            var (weighted, tonKm) = BruteForce(instance, Exact);
            var result = optimal.Plan(instance.Demands, instance.Warehouses, instance.Items, Now);

            AssertKeepsStockFleetAndDeadlines(result, instance, Exact, $"instance {n}");
            Assert.True(Math.Abs(weighted - result.PeopleCoveredWeighted) < 1e-9,
                $"instance {n}: exhaustive search covers {weighted} weighted people, optimal {result.PeopleCoveredWeighted}");
            Assert.True(Math.Abs(tonKm - result.TonKm) < 1e-6, $"instance {n}: exhaustive search {tonKm} t-km, optimal {result.TonKm}");
            Assert.Equal(ReliefPlanStatus.Optimal, result.Status);
            Assert.Equal(result.PeopleCoveredWeighted, result.CoverageUpperBound!.Value, 9);
            if (weighted > 0) positive++;
        }
        Assert.True(positive > 50, $"only {positive} instances cover anybody: the random instances are too hard to say much");
    }

    [Fact]
    public void Optimal_covers_at_least_as_many_weighted_people_as_greedy_on_150_random_instances_and_more_on_some()
    {
        var rng = new Random(7);
        var optimal = Optimal();
        var greedy = Greedy();
        var strictlyBetter = 0;
        for (var n = 0; n < 150; n++)
        {
            var instance = RandomInstance(rng);
            var o = optimal.Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            var g = greedy.Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            AssertKeepsStockFleetAndDeadlines(g, instance, Exact, $"greedy, instance {n}");
            Assert.True(o.PeopleCoveredWeighted >= g.PeopleCoveredWeighted - 1e-9,
                $"instance {n}: optimal {o.PeopleCoveredWeighted}, greedy {g.PeopleCoveredWeighted}");
            Assert.Equal(ReliefPlanStatus.Heuristic, g.Status);
            if (o.PeopleCoveredWeighted > g.PeopleCoveredWeighted + 1e-9) strictlyBetter++;
        }
        Assert.True(strictlyBetter > 0, "greedy matched the optimum on every random instance");
    }

    [Fact]
    public void Surge_path_keeps_every_rule_never_falls_below_greedy_and_stays_within_its_bound_and_the_exact_optimum()
    {
        // ExactModelLimit 0 sends even small instances down the path used for district-wide surges (aggregate bound, truck search).
        var surge = new ReliefPlannerOptions { ExactModelLimit = 0, TimeLimit = TimeSpan.FromSeconds(30) };
        var rng = new Random(99);
        var optimal = Optimal();
        for (var n = 0; n < 60; n++)
        {
            var instance = RandomInstance(rng);
            var s = Optimal(surge).Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            var o = optimal.Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            var g = Greedy(surge).Plan(instance.Demands, instance.Warehouses, instance.Items, Now);

            AssertKeepsStockFleetAndDeadlines(s, instance, surge, $"surge, instance {n}");
            Assert.True(s.PeopleCoveredWeighted >= g.PeopleCoveredWeighted - 1e-9, $"instance {n}: surge below greedy");
            Assert.True(s.PeopleCoveredWeighted <= o.PeopleCoveredWeighted + 1e-9, $"instance {n}: surge above the exact optimum");
            Assert.True(o.PeopleCoveredWeighted <= s.CoverageUpperBound + 1e-6, $"instance {n}: the bound {s.CoverageUpperBound} is not a bound");
        }
    }

    /// <summary>120 demands x 60 warehouses x 20 items: a surge whose LPs take long.</summary>
    internal static Instance HugeSurge()
    {
        var rng = new Random(7);
        var items = Enumerable.Range(0, 20).ToDictionary(i => $"item-{i}", i => new ReliefItemSpec($"item-{i}", rng.Next(1, 20), rng.Next(1, 8) / 100.0));
        GeoPoint Point() => P(CentreLat + (rng.NextDouble() - 0.5) * 0.4, CentreLon + (rng.NextDouble() - 0.5) * 0.4);
        var warehouses = Enumerable.Range(0, 60).Select(w => new ReliefWarehouse($"WH-{w:00}", Point(), TimeSpan.FromMinutes(rng.Next(0, 60)),
            rng.Next(1, 6), 4000, 20, items.Keys.ToDictionary(k => k, _ => (long)rng.Next(0, 3000)))).ToList();
        var demands = Enumerable.Range(0, 120).Select(d => new ReliefDemandInput($"RD-{d:000}", $"INC-{d:000}", Point(), IncidentType.Typhoon,
            rng.Next(1, 5), rng.Next(50, 2000), items.Keys.ToDictionary(k => k, _ => (long)rng.Next(1, 4000)), Now + ThreeHours)).ToList();
        return new Instance(demands, warehouses, items);
    }

    [Fact]
    public void A_surge_whose_LP_outlasts_the_time_limit_gets_at_least_the_greedy_plan_and_the_aggregate_bound_instead_of_an_error()
    {
        var (demands, warehouses, items) = HugeSurge();
        var options = new ReliefPlannerOptions { TimeLimit = TimeSpan.FromTicks(1) };

        var plan = Optimal(options).Plan(demands, warehouses, items, Now);
        var greedy = Greedy(options).Plan(demands, warehouses, items, Now);

        Assert.Equal(ReliefPlanStatus.Feasible, plan.Status);
        AssertKeepsStockFleetAndDeadlines(plan, new Instance(demands, warehouses, items), options, "1 tick");
        // Cut at once, GLOP has no point or a poor one; with none, the search starts from the greedy plan's trucks and may
        // already cover more. Either way the answer is never below the greedy plan.
        Assert.True(plan.PeopleCoveredWeighted >= greedy.PeopleCoveredWeighted - 1e-9,
            $"the plan covers {plan.PeopleCoveredWeighted:0} weighted people, greedy {greedy.PeopleCoveredWeighted:0}");
        Assert.True(plan.PeopleCovered > 0, "the greedy plan covers someone");
        var problem = ReliefProblem.Create(demands, warehouses, items, Now, Travel, options);
        Assert.Equal(OptimalReliefPlanner.AggregateBound(problem), plan.CoverageUpperBound!.Value, 6);
        Assert.True(plan.CoverageUpperBound < demands.Sum(d => d.Priority * d.People), "the bound says more than \"everyone covered\"");
    }

    [Fact]
    public void A_surge_gets_a_plan_at_every_budget_whatever_the_LP_solver_was_doing_when_its_time_ran_out()
    {
        // Cut at these budgets GLOP stopped with a feasible point that is not optimal (status FEASIBLE) on the development
        // machine, which the planner took for an error; at others it stops before it has one (NOT_SOLVED) or finishes. At 300 ms
        // the completion can be skipped or interrupted at 95 % of the budget; then the best whole plan found before it is the answer.
        var instance = HugeSurge();
        foreach (var ms in new[] { 300, 800, 1600 })
        {
            var options = new ReliefPlannerOptions { TimeLimit = TimeSpan.FromMilliseconds(ms) };
            var plan = Optimal(options).Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            AssertKeepsStockFleetAndDeadlines(plan, instance, options, $"{ms} ms");
            Assert.True(plan.PeopleCoveredWeighted >= Greedy(options).Plan(instance.Demands, instance.Warehouses, instance.Items, Now).PeopleCoveredWeighted - 1e-9);
            Assert.True(plan.CoverageUpperBound >= plan.PeopleCoveredWeighted - 1e-6, $"{ms} ms: the bound is below the plan");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_surge_plan_keeps_stock_fleets_and_deadlines_and_never_falls_below_greedy_with_its_starts_one_after_the_other_or_side_by_side(bool parallel)
    {
        // Both ways of running the two starts (ParallelStarts defaults by the machine's cores, so each is forced here). How far
        // the LPs get in the budget depends on the machine, so only the rules and the floor are asserted.
        var instance = HugeSurge();
        var options = new ReliefPlannerOptions { TimeLimit = TimeSpan.FromMilliseconds(800), ParallelStarts = parallel };

        var plan = Optimal(options).Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
        var greedy = Greedy(options).Plan(instance.Demands, instance.Warehouses, instance.Items, Now);

        AssertKeepsStockFleetAndDeadlines(plan, instance, options, parallel ? "side by side" : "one after the other");
        Assert.True(plan.PeopleCoveredWeighted >= greedy.PeopleCoveredWeighted - 1e-9,
            $"{plan.PeopleCoveredWeighted:0} weighted people against greedy's {greedy.PeopleCoveredWeighted:0}");
        Assert.True(plan.CoverageUpperBound >= plan.PeopleCoveredWeighted - 1e-6, "the bound is below the plan");
    }

    [Fact]
    public void The_aggregate_bound_is_never_below_the_exact_optimum_on_100_small_random_instances()
    {
        var rng = new Random(2027);
        var optimal = Optimal();
        var tight = 0;
        for (var n = 0; n < 100; n++)
        {
            var instance = RandomInstance(rng);
            var exact = optimal.Plan(instance.Demands, instance.Warehouses, instance.Items, Now).PeopleCoveredWeighted;
            var bound = OptimalReliefPlanner.AggregateBound(ReliefProblem.Create(instance.Demands, instance.Warehouses, instance.Items, Now, Travel, Exact));
            Assert.True(exact <= bound + 1e-6, $"instance {n}: the exact optimum {exact} is above the aggregate bound {bound}");
            if (exact > 0 && bound < exact + 1) tight++;
        }
        Assert.True(tight > 0, "the aggregate bound met the optimum on no instance: it bounds, but says little");
    }

    [Fact]
    public void The_CBC_back_end_covers_the_same_weighted_people_as_SCIP_on_40_random_instances()
    {
        var rng = new Random(11);
        var scip = Optimal();
        var cbc = Optimal(Exact with { Solver = "CBC" });
        for (var n = 0; n < 40; n++)
        {
            var instance = RandomInstance(rng);
            var s = scip.Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            var c = cbc.Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            AssertKeepsStockFleetAndDeadlines(c, instance, Exact, $"CBC, instance {n}");
            Assert.True(Math.Abs(s.PeopleCoveredWeighted - c.PeopleCoveredWeighted) < 1e-9, $"instance {n}: SCIP {s.PeopleCoveredWeighted}, CBC {c.PeopleCoveredWeighted}");
        }
    }

    [Fact]
    public void Optimal_answer_does_not_depend_on_the_order_of_the_warehouse_list()
    {
        var rng = new Random(3);
        var optimal = Optimal();
        for (var n = 0; n < 60; n++)
        {
            var instance = RandomInstance(rng);
            var forward = optimal.Plan(instance.Demands, instance.Warehouses, instance.Items, Now);
            var backward = optimal.Plan(instance.Demands, [.. Enumerable.Reverse(instance.Warehouses)], instance.Items, Now);
            Assert.Equal(forward.Allocations, backward.Allocations);
        }
    }

    // ---- where greedy goes wrong ---------------------------------------------------------------------------------------------

    [Fact]
    public void Greedy_spends_the_only_warehouse_a_later_demand_can_reach_and_optimal_sends_the_first_demand_elsewhere()
    {
        var items = Items(("water", 20, 0.025));
        // WH-NEAR is 1 km from A and can reach B in time; WH-FAR is 6 km from A but mobilises in an hour, too late for B.
        var near = Warehouse("WH-NEAR", East(1), 2, 5000, ("water", 10));
        var far = Warehouse("WH-FAR", East(-6), 2, 5000, ("water", 10)) with { Mobilisation = TimeSpan.FromMinutes(60) };
        var a = Demand("A", East(0), 2, 10, ThreeHours, ("water", 10));
        var b = Demand("B", East(3), 1, 10, TimeSpan.FromMinutes(60), ("water", 10));

        var g = Greedy().Plan([a, b], [near, far], items, Now);
        var o = Optimal().Plan([a, b], [near, far], items, Now);

        Assert.Equal(20, g.PeopleCoveredWeighted);   // A from the nearest warehouse; nothing left in reach of B
        Assert.Equal(10, g.PeopleCovered);
        Assert.Equal(30, o.PeopleCoveredWeighted);   // A from WH-FAR, B from WH-NEAR
        Assert.Equal(20, o.PeopleCovered);
        Assert.Contains(o.Allocations, x => x is { DemandId: "A", WarehouseId: "WH-FAR", Quantity: 10 });
        Assert.Contains(o.Allocations, x => x is { DemandId: "B", WarehouseId: "WH-NEAR", Quantity: 10 });
        var missing = Assert.Single(g.Shortfalls);
        Assert.Equal(("B", ShortfallReason.StockShort, 10L), (missing.DemandId, missing.Reason, missing.Missing));
    }

    [Fact]
    public void Among_plans_covering_as_many_people_optimal_takes_the_fewest_ton_km()
    {
        var items = Items(("water", 20, 0.025));
        var near = Warehouse("WH-NEAR", East(2), 1, 5000, ("water", 10));
        var far = Warehouse("WH-FAR", East(-10), 1, 5000, ("water", 10));
        var a = Demand("A", East(0), 1, 10, ThreeHours, ("water", 10));

        var o = Optimal().Plan([a], [far, near], items, Now);

        var allocation = Assert.Single(o.Allocations);
        Assert.Equal("WH-NEAR", allocation.WarehouseId);
        Assert.Equal(10 * 20 / 1000.0 * allocation.DistanceKm, o.TonKm, 9);
    }

    // ---- whole kits, stock, fleet, deadlines ---------------------------------------------------------------------------------

    [Fact]
    public void People_count_as_covered_only_with_the_whole_kit_and_the_kit_is_rounded_up_for_part_of_the_people()
    {
        var items = Items(("water", 1, 0.001), ("blanket", 2, 0.01));
        // 6 people need 3 water and 6 blankets; only 4 blankets: 4 people covered, needing ceil(3 × 4 / 6) = 2 water.
        var wh = Warehouse("WH", East(1), 1, 5000, ("water", 100), ("blanket", 4));
        var d = Demand("D", East(0), 1, 6, ThreeHours, ("water", 3), ("blanket", 6));

        var o = Optimal().Plan([d], [wh], items, Now);

        Assert.Equal(4, o.PeopleCovered);
        Assert.Equal(4, o.CoveredByDemand["D"]);
        Assert.Equal(2, o.Allocations.Single(a => a.ItemCode == "water").Quantity);
        Assert.Equal(4, o.Allocations.Single(a => a.ItemCode == "blanket").Quantity);
        var blanket = o.Shortfalls.Single(s => s.ItemCode == "blanket");
        Assert.Equal((2L, ShortfallReason.StockShort), (blanket.Missing, blanket.Reason));
        var water = o.Shortfalls.Single(s => s.ItemCode == "water");
        Assert.Equal((1L, ShortfallReason.KitIncomplete), (water.Missing, water.Reason));
        Assert.Contains("blanket", water.Detail);
    }

    [Fact]
    public void A_warehouse_that_cannot_arrive_by_the_deadline_gives_a_TooFar_shortfall()
    {
        var items = Items(("water", 20, 0.025));
        var slow = Warehouse("WH-SLOW", East(5), 4, 5000, ("water", 100)) with { Mobilisation = TimeSpan.FromHours(4) };
        var d = Demand("D", East(0), 1, 30, ThreeHours, ("water", 5));

        var o = Optimal().Plan([d], [slow], items, Now);

        Assert.Empty(o.Allocations);
        var s = Assert.Single(o.Shortfalls);
        Assert.Equal(("water", 5L, ShortfallReason.TooFar), (s.ItemCode, s.Missing, s.Reason));
        Assert.Contains("WH-SLOW", s.Detail);
    }

    [Fact]
    public void Too_little_stock_in_reach_gives_a_StockShort_shortfall_for_the_missing_units()
    {
        var items = Items(("tent", 35, 0.18));
        var wh = Warehouse("WH", East(2), 2, 5000, ("tent", 5));
        var d = Demand("D", East(0), 1, 40, ThreeHours, ("tent", 10));

        var o = Optimal().Plan([d], [wh], items, Now);

        Assert.Equal(5, Assert.Single(o.Allocations).Quantity);
        Assert.Equal(20, o.PeopleCovered);
        var s = Assert.Single(o.Shortfalls);
        Assert.Equal(("tent", 5L, ShortfallReason.StockShort), (s.ItemCode, s.Missing, s.Reason));
    }

    [Fact]
    public void Stock_in_reach_that_the_trucks_cannot_carry_gives_a_NoTrucks_shortfall()
    {
        var items = Items(("folding-bed", 10, 0.05));
        // One 50 kg truck: 5 beds of 10 kg; the demand needs 10 and the warehouse holds 100.
        var wh = Warehouse("WH", East(2), 1, 50, ("folding-bed", 100));
        var idle = Warehouse("WH-NO-TRUCKS", East(1), 0, 5000, ("folding-bed", 100));
        var d = Demand("D", East(0), 1, 10, ThreeHours, ("folding-bed", 10));

        var o = Optimal().Plan([d], [wh, idle], items, Now);

        var allocation = Assert.Single(o.Allocations);
        Assert.Equal(("WH", 5L, 1), (allocation.WarehouseId, allocation.Quantity, allocation.Trucks));
        var s = Assert.Single(o.Shortfalls);
        Assert.Equal(("folding-bed", 5L, ShortfallReason.NoTrucks), (s.ItemCode, s.Missing, s.Reason));
    }

    [Fact]
    public void Trucks_are_counted_by_weight_or_volume_whichever_binds_and_one_truck_serves_one_demand()
    {
        var items = Items(("quilt", 3, 0.03));
        // 3 t / 10 m3 trucks: 400 quilts weigh 1.2 t but fill 12 m3, so they need two trucks; two demands need three.
        var wh = Warehouse("WH", East(1), 3, 3000, ("quilt", 1000)) with { TruckCapacityM3 = 10 };
        var a = Demand("A", East(0), 2, 400, ThreeHours, ("quilt", 400));
        var b = Demand("B", East(2), 1, 100, ThreeHours, ("quilt", 100));

        var o = Optimal().Plan([a, b], [wh], items, Now);

        Assert.Equal(2, o.Allocations.Single(x => x.DemandId == "A").Trucks);
        Assert.Equal(1, o.Allocations.Single(x => x.DemandId == "B").Trucks);
        Assert.Equal(500, o.PeopleCovered);
    }

    // ---- edge cases ----------------------------------------------------------------------------------------------------------

    [Fact]
    public void No_demands_or_no_warehouses_give_an_empty_plan_and_say_what_is_missing()
    {
        var items = Items(("water", 20, 0.025));
        var wh = Warehouse("WH", East(1), 1, 5000, ("water", 10));
        var d = Demand("D", East(0), 1, 6, ThreeHours, ("water", 1));
        foreach (var planner in new IReliefPlanner[] { Optimal(), Greedy() })
        {
            var none = planner.Plan([], [wh], items, Now);
            Assert.Empty(none.Allocations);
            Assert.Empty(none.Shortfalls);
            Assert.Equal(0, none.PeopleCovered);

            var nowhere = planner.Plan([d], [], items, Now);
            Assert.Empty(nowhere.Allocations);
            var s = Assert.Single(nowhere.Shortfalls);
            Assert.Equal((1L, ShortfallReason.StockShort), (s.Missing, s.Reason));
            Assert.Contains("no warehouse holds water", s.Detail);
        }
    }

    [Fact]
    public void A_demand_without_people_gets_nothing_and_reports_no_shortfall()
    {
        var items = Items(("water", 20, 0.025));
        var wh = Warehouse("WH", East(1), 1, 5000, ("water", 10));
        var empty = Demand("EMPTY", East(0), 3, 0, ThreeHours, ("water", 5));
        var real = Demand("REAL", East(0), 1, 6, ThreeHours, ("water", 1));

        var o = Optimal().Plan([empty, real], [wh], items, Now);

        Assert.DoesNotContain(o.Allocations, a => a.DemandId == "EMPTY");
        Assert.DoesNotContain(o.Shortfalls, s => s.DemandId == "EMPTY");
        Assert.Equal(0, o.CoveredByDemand["EMPTY"]);
        Assert.Equal(6, o.CoveredByDemand["REAL"]);
    }

    [Fact]
    public void An_item_no_warehouse_holds_blocks_the_kit_and_is_reported_as_StockShort_while_its_partner_is_KitIncomplete()
    {
        var items = Items(("water", 20, 0.025), ("generator", 85, 0.35));
        var wh = Warehouse("WH", East(1), 2, 5000, ("water", 50));
        var d = Demand("D", East(0), 1, 200, ThreeHours, ("water", 34), ("generator", 1));

        var o = Optimal().Plan([d], [wh], items, Now);

        Assert.Equal(0, o.PeopleCovered);
        Assert.Empty(o.Allocations); // water alone relieves nobody under the whole-kit rule
        Assert.Equal(ShortfallReason.StockShort, o.Shortfalls.Single(s => s.ItemCode == "generator").Reason);
        Assert.Equal(ShortfallReason.KitIncomplete, o.Shortfalls.Single(s => s.ItemCode == "water").Reason);
    }

    [Fact]
    public void An_item_whose_convoy_to_the_demand_has_room_is_KitIncomplete_behind_the_item_whose_truck_is_full_not_NoTrucks()
    {
        // WH-TENT's one truck carries 10 tents (200 kg), enough for 20 of the 100 people; WH-DIS's one truck brings their
        // disinfectant and has room for all of it. The disinfectant is held back by the tents, not by trucks: before the
        // thirty-third session it read NoTrucks ("cannot carry more"), and the request to the city asked for it.
        var items = Items(("tent", 20, 0.1), ("disinfectant", 1, 0.001));
        var tents = Warehouse("WH-TENT", East(1), 1, 200, ("tent", 100));
        var disinfectant = Warehouse("WH-DIS", East(-1), 1, 5000, ("disinfectant", 100));
        var d = Demand("D", East(0), 1, 100, ThreeHours, ("tent", 50), ("disinfectant", 10));

        var o = Optimal().Plan([d], [tents, disinfectant], items, Now);

        Assert.Equal(20, o.CoveredByDemand["D"]);
        var byItem = o.Shortfalls.ToDictionary(s => s.ItemCode);
        Assert.Equal((40L, ShortfallReason.NoTrucks), (byItem["tent"].Missing, byItem["tent"].Reason)); // its only truck is full
        Assert.Equal((8L, ShortfallReason.KitIncomplete), (byItem["disinfectant"].Missing, byItem["disinfectant"].Reason));
        Assert.Contains("lacks tent (NoTrucks)", byItem["disinfectant"].Detail);
        Assert.Contains("the convoy from WH-DIS to this incident has room for more", byItem["disinfectant"].Detail);
    }

    [Fact]
    public void An_item_whose_trucks_stand_idle_is_KitIncomplete_behind_the_item_whose_only_trucks_are_spent_not_NoTrucks()
    {
        // Disinfectant is held only at WH-DIS, whose one truck goes to the more urgent demand. The second demand's water could come
        // from WH-WATER, whose 5 trucks stand mostly idle: its water is held back by the kit, not by trucks. Before the twenty-second
        // session the water read NoTrucks too, and the request to the city asked for it.
        var items = Items(("water", 20, 0.025), ("disinfectant", 5, 0.005));
        var water = Warehouse("WH-WATER", East(1), 5, 5000, ("water", 500));
        var disinfectant = Warehouse("WH-DIS", East(-1), 1, 5000, ("disinfectant", 10));
        var urgent = Demand("URGENT", East(0), 4, 50, ThreeHours, ("water", 10), ("disinfectant", 1));
        var other = Demand("OTHER", East(0.5), 1, 50, ThreeHours, ("water", 10), ("disinfectant", 1));

        var o = Optimal().Plan([urgent, other], [water, disinfectant], items, Now);

        Assert.Equal(50, o.CoveredByDemand["URGENT"]);
        Assert.Equal(0, o.CoveredByDemand["OTHER"]);
        var byItem = o.Shortfalls.Where(s => s.DemandId == "OTHER").ToDictionary(s => s.ItemCode);
        Assert.Equal(ShortfallReason.NoTrucks, byItem["disinfectant"].Reason); // its only truck is spent
        Assert.Equal(ShortfallReason.KitIncomplete, byItem["water"].Reason);
        Assert.Contains("lacks disinfectant (NoTrucks)", byItem["water"].Detail);
    }

    [Fact]
    public void Invalid_input_is_refused_with_the_field_named()
    {
        var items = Items(("water", 20, 0.025));
        var wh = Warehouse("WH", East(1), 1, 5000, ("water", 10));
        var d = Demand("D", East(0), 1, 6, ThreeHours, ("water", 1));
        var optimal = Optimal();

        Assert.Contains("Priority", Assert.Throws<ArgumentException>(() => optimal.Plan([d with { Priority = 0 }], [wh], items, Now)).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => optimal.Plan([d, d], [wh], items, Now)).Message);
        Assert.Contains("no ReliefItemSpec", Assert.Throws<ArgumentException>(() =>
            optimal.Plan([d with { Kit = new Dictionary<string, long> { ["soup"] = 1 } }], [wh], items, Now)).Message);
        Assert.Contains("Trucks", Assert.Throws<ArgumentException>(() => optimal.Plan([d], [wh with { Trucks = -1 }], items, Now)).Message);
        Assert.Throws<ArgumentException>(() => new OptimalReliefPlanner(Travel, new ReliefPlannerOptions { Loading = TimeSpan.FromMinutes(-1) }));
    }

    [Fact]
    public void The_shipped_warehouses_relieve_a_typhoon_demand_of_300_people_within_3_hours()
    {
        var reference = HuaduDispatch.Grains.Reference.ReferenceDataFile
            .Load(Path.Combine(AppContext.BaseDirectory, "ReferenceData", "huadu-reference.json")).Set;
        var items = reference.Items.ToDictionary(i => i.Code, ReliefItemSpec.From);
        var warehouses = reference.Warehouses.Select(w => new ReliefWarehouse(w.Id, w.Position, TimeSpan.FromMinutes(w.MobilisationMinutes),
            w.Fleet.Trucks, w.Fleet.CapacityKg, w.Fleet.CapacityM3, w.Stock.ToDictionary(s => s.ItemCode, s => s.Quantity))).ToList();
        var xinhua = reference.Areas.Single(a => a.Id == "xinhua").Centroid;
        var demand = new ReliefDemandInput("RD-1", "INC-1", xinhua, IncidentType.Typhoon, 3, 300, ReliefStandard.Default.Kit(300, 90), Now + ThreeHours);

        var o = Optimal(new ReliefPlannerOptions()).Plan([demand], warehouses, items, Now);

        Assert.Equal(300, o.PeopleCovered);
        Assert.Empty(o.Shortfalls);
        Assert.All(o.Allocations, a => Assert.True(a.Eta <= demand.Deadline));
    }
}
