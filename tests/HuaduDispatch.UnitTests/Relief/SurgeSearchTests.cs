using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>
/// The pieces of the surge path of <see cref="OptimalReliefPlanner"/>: <see cref="WholeUnits"/> (fractional flows to whole units),
/// <see cref="TruckFlows"/> (the flow LP for fixed trucks), <see cref="TruckRounding"/> (the LP's trucks made whole) and
/// <see cref="TruckSearch"/> (single-truck moves).
/// </summary>
public sealed class SurgeSearchTests
{
    /// <summary>One warehouse, one demand of 940 people whose kit has 940 meals (1 kg) and 5 generators (90 kg, 1 per 200 people).</summary>
    private static ReliefProblem MealsAndGenerators(double truckKg) => ReliefProblem.Create(
        [Demand("D", East(5), 4, 940, ThreeHours, ("meal", 940), ("generator", 5))],
        [Warehouse("WH", East(0), 1, truckKg, ("meal", 5000), ("generator", 10))],
        Items(("meal", 1, 0.001), ("generator", 90, 0.1)), Now, Travel, Exact);

    /// <summary>The fractional plan: 893.7 people, so 893.7 meals and 4.754 generators on the one route.</summary>
    private static (double[]?[] Flows, double[] Covered) Fractional(ReliefProblem problem)
    {
        var flows = new double[]?[problem.Routes.Length];
        var row = flows[0] = new double[problem.Items.Length];
        row[Array.IndexOf(problem.Items, "meal")] = 893.7;
        row[Array.IndexOf(problem.Items, "generator")] = 5 * 893.7 / 940;
        return (flows, [893.7]);
    }

    private static long[]?[] RoundedDown(double[]?[] flows) =>
        flows.Select(row => row?.Select(u => (long)Math.Floor(u + 1e-6)).ToArray()).ToArray();

    [Fact]
    public void Whole_units_top_up_an_item_needed_in_few_units_instead_of_losing_the_people_rounding_down_would_lose()
    {
        var problem = MealsAndGenerators(truckKg: 5000);
        var (flows, covered) = Fractional(problem);

        var down = problem.Assemble(RoundedDown(flows), ReliefPlanStatus.Feasible);
        var whole = problem.Assemble(WholeUnits.Round(problem, [1], flows, covered), ReliefPlanStatus.Feasible);

        // 4 generators cover 4 × 940 ÷ 5 = 752 people; a fifth from the stock left covers all 893 the meals allow.
        Assert.Equal(752, down.PeopleCovered);
        Assert.Equal(893, whole.PeopleCovered);
        Assert.Equal(5, whole.Allocations.Single(a => a.ItemCode == "generator").Quantity);
        Assert.Equal(893, whole.Allocations.Single(a => a.ItemCode == "meal").Quantity);
    }

    [Fact]
    public void Whole_units_lower_the_aim_to_make_room_for_the_missing_unit_when_the_truck_is_full()
    {
        // 893 meals and 4 generators (1,253 kg) leave 50 kg: a fifth generator (90 kg) fits only if some meals stay behind.
        var problem = MealsAndGenerators(truckKg: 893 + 4 * 90 + 50);
        var (flows, covered) = Fractional(problem);

        var whole = problem.Assemble(WholeUnits.Round(problem, [1], flows, covered), ReliefPlanStatus.Feasible);

        Assert.Equal(752, problem.Assemble(RoundedDown(flows), ReliefPlanStatus.Feasible).PeopleCovered);
        // At most 853 people fit (853 meals + 5 generators = 1,303 kg); the aim comes down in growing steps, so a little below.
        Assert.InRange(whole.PeopleCovered, 800, 853);
        Assert.Equal(5, whole.Allocations.Single(a => a.ItemCode == "generator").Quantity);
        Assert.All(whole.Allocations, a => Assert.Equal(1, a.Trucks));
    }

    [Fact]
    public void Whole_units_keep_stock_and_every_route_s_trucks_and_cover_no_fewer_than_rounding_down_on_100_random_surges()
    {
        var rng = new Random(4242);
        var better = 0;
        for (var n = 0; n < 100; n++)
        {
            var problem = MediumProblem(rng);
            var trucks = RandomTrucks(problem, rng);
            using var flows = new TruckFlows(problem, AllRoutes(problem));
            var lpValue = flows.Solve(trucks);
            var (fractional, _) = flows.Fractional();

            var plan = flows.WholePlan(trucks);
            var whole = problem.Assemble(plan, ReliefPlanStatus.Feasible); // throws if stock or a fleet is exceeded
            var down = problem.Assemble(RoundedDown(fractional), ReliefPlanStatus.Feasible);

            for (var r = 0; r < plan.Length; r++)
                if (plan[r] is { } load)
                    Assert.True(problem.TripsFor(problem.Routes[r].Warehouse, load) <= trucks[r], $"instance {n}: route {r} needs more trucks than it has");
            Assert.True(whole.PeopleCoveredWeighted >= down.PeopleCoveredWeighted - 1e-9,
                $"instance {n}: whole units cover {whole.PeopleCoveredWeighted}, rounding down {down.PeopleCoveredWeighted}");
            Assert.True(whole.PeopleCoveredWeighted <= lpValue + 1e-6, $"instance {n}: whole units above the LP");
            if (whole.PeopleCoveredWeighted > down.PeopleCoveredWeighted + 1e-9) better++;
        }
        Assert.True(better >= 5, $"whole units beat rounding down on only {better} of 100 instances: the instances say little");
    }

    [Fact]
    public void The_truck_search_moves_the_only_truck_from_a_low_priority_demand_to_a_high_priority_one()
    {
        var problem = ReliefProblem.Create(
            [Demand("LOW", East(4), 1, 300, ThreeHours, ("kit", 300)), Demand("HIGH", East(-4), 4, 300, ThreeHours, ("kit", 300))],
            [Warehouse("WH", East(0), 1, 5000, ("kit", 1000))], Items(("kit", 10, 0.01)), Now, Travel, Exact);
        var low = problem.RoutesOfDemand[0].Single();
        var high = problem.RoutesOfDemand[1].Single();
        var start = new int[problem.Routes.Length];
        start[low] = 1;
        using var flows = new TruckFlows(problem, AllRoutes(problem));
        Assert.Equal(300, flows.Solve(start), 6);

        var trucks = TruckSearch.Improve(problem, flows, start, TimeSpan.FromSeconds(10));

        Assert.Equal(0, trucks[low]);
        Assert.Equal(1, trucks[high]);
        Assert.Equal(4 * 300, flows.Solve(trucks), 6);
    }

    [Fact]
    public void The_truck_search_sends_spare_trucks_to_the_demands_they_cover_and_gives_back_trucks_that_carry_nothing()
    {
        // Two trucks at WH; the start sends both to A, which needs one; B gets none.
        var problem = ReliefProblem.Create(
            [Demand("A", East(4), 2, 300, ThreeHours, ("kit", 300)), Demand("B", East(-4), 2, 300, ThreeHours, ("kit", 300))],
            [Warehouse("WH", East(0), 2, 5000, ("kit", 1000))], Items(("kit", 10, 0.01)), Now, Travel, Exact);
        var a = problem.RoutesOfDemand[0].Single();
        var b = problem.RoutesOfDemand[1].Single();
        var start = new int[problem.Routes.Length];
        start[a] = 2;
        using var flows = new TruckFlows(problem, AllRoutes(problem));

        var trucks = TruckSearch.Improve(problem, flows, start, TimeSpan.FromSeconds(10));

        Assert.Equal(1, trucks[a]);
        Assert.Equal(1, trucks[b]);
        Assert.Equal(2 * 600, flows.Solve(trucks), 6);
    }

    [Fact]
    public void The_truck_search_never_exceeds_a_fleet_and_never_lowers_the_flow_value_on_60_random_surges()
    {
        var rng = new Random(31);
        var raised = 0;
        for (var n = 0; n < 60; n++)
        {
            var problem = MediumProblem(rng);
            var start = RandomTrucks(problem, rng);
            using var flows = new TruckFlows(problem, AllRoutes(problem));
            var before = flows.Solve(start);

            var trucks = TruckSearch.Improve(problem, flows, start, TimeSpan.FromSeconds(5));

            AssertFleetsKept(problem, trucks, n);
            Assert.All(trucks, t => Assert.True(t >= 0));
            var after = flows.Solve(trucks);
            Assert.True(after >= before - 1e-6, $"instance {n}: the search lowered the flow value from {before} to {after}");
            if (after > before + 1e-6) raised++;
        }
        Assert.True(raised > 10, $"the search raised the value on only {raised} of 60 instances: the instances say little");
    }

    [Fact]
    public void A_surge_plan_that_covers_everyone_is_proven_and_its_bound_counts_the_people_with_an_empty_kit_once()
    {
        // ExactModelLimit 0 sends this small problem down the surge path. NONE needs nothing (an empty kit): covered whatever is sent.
        var surge = Exact with { ExactModelLimit = 0 };
        List<ReliefDemandInput> demands =
            [Demand("NONE", East(3), 2, 100, ThreeHours), Demand("A", East(5), 3, 50, ThreeHours, ("meal", 50))];

        var plan = Optimal(surge).Plan(demands, [Warehouse("WH", East(0), 1, 5000, ("meal", 100))], Items(("meal", 1, 0.001)), Now);

        Assert.Equal(2 * 100 + 3 * 50, plan.PeopleCoveredWeighted, 9);
        Assert.Equal(plan.PeopleCoveredWeighted, plan.CoverageUpperBound!.Value, 3);
        Assert.NotEqual(ReliefPlanStatus.Feasible, plan.Status);
    }

    [Fact]
    public void Rounding_per_demand_gives_a_demand_its_LP_total_rounded_up_on_the_routes_the_LP_used_most()
    {
        // Five one-truck warehouses; the LP spread 2 trucks' worth over all five routes to the one demand.
        var problem = ReliefProblem.Create([Demand("D", East(6), 4, 500, ThreeHours, ("kit", 500))],
            [.. Enumerable.Range(0, 5).Select(w => Warehouse($"WH-{w}", East(w), 1, 5000, ("kit", 1000)))], Items(("kit", 10, 0.01)),
            Now, Travel, Exact);
        var lp = new double[problem.Routes.Length];
        double[] fractions = [0.35, 0.4, 0.45, 0.4, 0.4];
        for (var r = 0; r < lp.Length; r++) lp[r] = fractions[problem.Routes[r].Warehouse];
        var widest = Array.IndexOf(lp, 0.45);

        var perDemand = TruckRounding.PerDemand(problem, lp);
        var byFraction = TruckRounding.ByFraction(problem, lp);

        Assert.Equal(2, perDemand.Sum());
        Assert.Equal(1, perDemand[widest]);
        Assert.DoesNotContain(Array.IndexOf(lp, 0.35), Enumerable.Range(0, lp.Length).Where(r => perDemand[r] > 0));
        Assert.Equal(5, byFraction.Sum()); // every fraction gets a spare truck: three of them carry what two would
    }

    [Fact]
    public void Rounding_per_demand_keeps_every_fleet_rounds_each_route_down_or_up_and_caps_each_demand_on_60_random_surges()
    {
        var rng = new Random(47);
        var rounded = 0;
        for (var n = 0; n < 60; n++)
        {
            var problem = MediumProblem(rng);
            var lp = RandomFractionalTrucks(problem, rng);

            var trucks = TruckRounding.PerDemand(problem, lp);

            for (var r = 0; r < lp.Length; r++)
                Assert.True(trucks[r] >= Math.Floor(lp[r] + 1e-9) && trucks[r] <= Math.Ceiling(lp[r] - 1e-9),
                    $"instance {n}: route {r} has {trucks[r]} trucks for the LP's {lp[r]}");
            AssertFleetsKept(problem, trucks, n);
            for (var d = 0; d < problem.Demands.Length; d++)
            {
                var routes = problem.RoutesOfDemand[d];
                Assert.True(routes.Sum(r => trucks[r]) <= Math.Ceiling(routes.Sum(r => lp[r]) - 1e-9),
                    $"instance {n}: demand {d} got {routes.Sum(r => trucks[r])} trucks for the LP's {routes.Sum(r => lp[r])}");
            }
            if (trucks.Sum() > lp.Sum(t => Math.Floor(t + 1e-9))) rounded++;
        }
        Assert.True(rounded > 30, $"only {rounded} of 60 instances rounded any route up: the instances say little");
    }

    [Fact]
    public void The_better_start_is_the_rounding_whose_flows_cover_more_on_60_random_surges()
    {
        var rng = new Random(53);
        var (firstWon, secondWon) = (0, 0);
        for (var n = 0; n < 60; n++)
        {
            var problem = MediumProblem(rng);
            var lp = RandomFractionalTrucks(problem, rng);
            var (first, second) = (TruckRounding.ByFraction(problem, lp), TruckRounding.PerDemand(problem, lp));
            using var flows = new TruckFlows(problem, AllRoutes(problem));
            var (firstValue, secondValue) = (flows.Solve(first), flows.Solve(second));

            var better = TruckRounding.Better(flows, first, second);

            Assert.Equal(Math.Max(firstValue, secondValue), flows.Solve(better), 6);
            if (firstValue > secondValue + 1e-6) firstWon++;
            if (secondValue > firstValue + 1e-6) secondWon++;
        }
        Assert.True(firstWon > 0 && secondWon > 0, $"by fraction won {firstWon}, per demand {secondWon}: the instances say little");
    }

    [Fact]
    public void The_flow_LP_answers_for_the_trucks_asked_whether_it_solved_them_last_or_before_other_trucks_on_40_random_surges()
    {
        var rng = new Random(71);
        var changed = 0;
        for (var n = 0; n < 40; n++)
        {
            var problem = MediumProblem(rng);
            var (a, b) = (RandomTrucks(problem, rng), RandomTrucks(problem, rng));
            double Fresh(int[] trucks)
            {
                using var once = new TruckFlows(problem, AllRoutes(problem)); // no earlier solve to remember
                return once.Solve(trucks);
            }
            var (valueA, valueB) = (Fresh(a), Fresh(b));

            using var flows = new TruckFlows(problem, AllRoutes(problem));
            Assert.Equal(valueA, flows.Solve(a), 6);
            Assert.Equal(valueA, flows.Solve((int[])a.Clone()), 6); // the same trucks again (not solved again)
            Assert.Equal(valueB, flows.Solve(b), 6);
            Assert.Equal(valueA, flows.Solve(a), 6); // after other trucks: solved for these
            // The solution read afterwards is the one for these trucks too.
            Assert.Equal(valueA, Enumerable.Range(0, problem.Demands.Length).Sum(d => problem.Demands[d].Priority * flows.Covered(d)), 6);
            if (Math.Abs(valueA - valueB) > 1e-6) changed++;
        }
        Assert.True(changed > 20, $"only {changed} of 40 surges had different values for the two trucks: the test says little");
    }

    /// <summary>Up to each warehouse's fleet spread in random fractions over its routes, as an LP point might (whole trucks too).</summary>
    private static double[] RandomFractionalTrucks(ReliefProblem problem, Random rng)
    {
        var lp = new double[problem.Routes.Length];
        for (var w = 0; w < problem.Warehouses.Length; w++)
        {
            var routes = RoutesFrom(problem, w);
            if (routes.Length == 0) continue;
            var weights = routes.Select(_ => rng.NextDouble() < 0.4 ? 0 : rng.NextDouble()).ToArray();
            var total = weights.Sum();
            if (total == 0) continue;
            var spread = problem.Warehouses[w].Trucks * (0.5 + 0.5 * rng.NextDouble());
            for (var k = 0; k < routes.Length; k++) lp[routes[k]] = spread * weights[k] / total;
        }
        return lp;
    }

    private static void AssertFleetsKept(ReliefProblem problem, int[] trucks, int instance)
    {
        for (var w = 0; w < problem.Warehouses.Length; w++)
        {
            var used = RoutesFrom(problem, w).Sum(r => trucks[r]);
            Assert.True(used <= problem.Warehouses[w].Trucks, $"instance {instance}: {used} trucks planned at {problem.Warehouses[w].Id}");
        }
    }

    private static int[] RoutesFrom(ReliefProblem problem, int w) =>
        [.. Enumerable.Range(0, problem.Routes.Length).Where(r => problem.Routes[r].Warehouse == w)];

    private static bool[] AllRoutes(ReliefProblem problem) => Enumerable.Repeat(true, problem.Routes.Length).ToArray();

    /// <summary>Each warehouse's trucks spread at random over its routes (some left spare).</summary>
    private static int[] RandomTrucks(ReliefProblem problem, Random rng)
    {
        var trucks = new int[problem.Routes.Length];
        for (var w = 0; w < problem.Warehouses.Length; w++)
        {
            var routes = RoutesFrom(problem, w);
            if (routes.Length == 0) continue;
            for (var k = rng.Next(0, problem.Warehouses[w].Trucks + 1); k > 0; k--) trucks[routes[rng.Next(routes.Length)]]++;
        }
        return trucks;
    }

    /// <summary>6 warehouses with 1-3 trucks and 3 of 4 items each, 5 demands of 20-400 people with all 4 items, one (a generator per 50 people) in few units.</summary>
    [Fact]
    public void The_repair_gives_the_demands_a_surge_plan_sends_nothing_to_what_the_plan_leaves_and_changes_nothing_it_sends()
    {
        // A plan cut short by its budget sent WH-NEAR's one truck to A and nothing to B or C, though WH-FAR's two idle trucks
        // reach both by their deadline. B is the one the stock can serve in full (priority 3 x 40 people), C the other.
        var items = Items(("kit", 10, 0.01));
        var near = Warehouse("WH-NEAR", East(0), 1, 5000, ("kit", 50));
        var far = Warehouse("WH-FAR", East(8), 2, 5000, ("kit", 60));
        List<ReliefDemandInput> demands =
        [
            Demand("A", East(1), 4, 50, ThreeHours, ("kit", 50)),
            Demand("B", East(6), 3, 40, ThreeHours, ("kit", 40)),
            Demand("C", East(7), 1, 30, ThreeHours, ("kit", 30)),
        ];
        var planner = Optimal(Exact with { ExactModelLimit = 0 });
        var problem = ReliefProblem.Create(demands, [near, far], items, Now, Travel, Exact);
        var onlyA = problem.Kept([new ReliefLoad("A", "WH-NEAR", "kit", 50)]);
        var cut = problem.Assemble(onlyA, ReliefPlanStatus.Feasible);

        var repaired = planner.Repair(demands, [near, far], items, Now, cut);

        AssertKeepsStockFleetAndDeadlines(repaired, new Instance(demands, [near, far], items), Exact, "repaired");
        Assert.Equal(4 * 50 + 3 * 40 + 1 * 20, repaired.PeopleCoveredWeighted, 9); // C gets the 20 kits left
        Assert.Equal((50, 40, 20), (repaired.CoveredByDemand["A"], repaired.CoveredByDemand["B"], repaired.CoveredByDemand["C"]));
        Assert.Equal([("A", "WH-NEAR", 50L)], repaired.Allocations.Where(a => a.DemandId == "A").Select(a => (a.DemandId, a.WarehouseId, a.Quantity)));
        Assert.All(repaired.Allocations.Where(a => a.DemandId != "A"), a => Assert.Equal("WH-FAR", a.WarehouseId));
        Assert.Equal(cut.CoverageUpperBound, repaired.CoverageUpperBound);
    }

    [Fact]
    public void The_repair_leaves_a_plan_alone_when_the_demands_it_sends_nothing_to_cannot_be_reached_in_time()
    {
        var items = Items(("kit", 10, 0.01));
        var near = Warehouse("WH-NEAR", East(0), 1, 5000, ("kit", 50));
        var slow = Warehouse("WH-SLOW", East(8), 2, 5000, ("kit", 60)) with { Mobilisation = TimeSpan.FromHours(4) };
        List<ReliefDemandInput> demands = [Demand("A", East(1), 4, 50, ThreeHours, ("kit", 50)), Demand("B", East(6), 3, 40, ThreeHours, ("kit", 40))];
        var problem = ReliefProblem.Create(demands, [near, slow], items, Now, Travel, Exact);
        var cut = problem.Assemble(problem.Kept([new ReliefLoad("A", "WH-NEAR", "kit", 50)]), ReliefPlanStatus.Feasible);

        var repaired = Optimal(Exact with { ExactModelLimit = 0 }).Repair(demands, [near, slow], items, Now, cut);

        Assert.Same(cut, repaired);
    }

    private static ReliefProblem MediumProblem(Random rng)
    {
        var (demands, warehouses, items) = MediumInstance(rng);
        return ReliefProblem.Create(demands, warehouses, items, Now, Travel, Exact);
    }

    private static Instance MediumInstance(Random rng)
    {
        var items = Items(("water", 18, 0.03), ("blanket", 2, 0.01), ("meal", 0.5, 0.002), ("generator", 90, 0.2));
        GeoPoint Point() => P(CentreLat + (rng.NextDouble() - 0.5) * 0.3, CentreLon + (rng.NextDouble() - 0.5) * 0.3);
        var warehouses = Enumerable.Range(0, 6).Select(w => new ReliefWarehouse($"WH-{w}", Point(), TimeSpan.FromMinutes(rng.Next(0, 40)),
            rng.Next(1, 4), 1000 * rng.Next(1, 4), 10, items.Keys.OrderBy(_ => rng.Next()).Take(3)
                .ToDictionary(code => code, code => (long)rng.Next(0, (int)(3000 / items[code].WeightKg))))).ToList();
        var demands = Enumerable.Range(0, 5).Select(d =>
        {
            var people = rng.Next(20, 401);
            return new ReliefDemandInput($"RD-{d}", $"INC-{d}", Point(), IncidentType.Flood, rng.Next(1, 5), people,
                new Dictionary<string, long> { ["water"] = (people + 5) / 6, ["blanket"] = people, ["meal"] = 3 * people, ["generator"] = (people + 49) / 50 },
                Now + ThreeHours);
        }).ToList();
        return new Instance(demands, warehouses, items);
    }
}
