using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class LateReliefTests
{
    private static readonly Dictionary<string, ReliefItemSpec> Water = Items(("water", 1, 0.001));
    private static readonly TimeSpan LateWindow = TimeSpan.FromHours(20);

    private static Dictionary<string, DateTimeOffset> LateUntil(params ReliefDemandInput[] demands) =>
        demands.ToDictionary(d => d.DemandId, _ => Now + LateWindow);

    /// <summary>
    /// The partial-kit case: water at WH-WATER (5 trucks), disinfectant only at WH-DIS, whose one truck URGENT's kit takes.
    /// </summary>
    private static (Dictionary<string, ReliefItemSpec> Items, ReliefWarehouse Water, ReliefWarehouse Disinfectant, ReliefDemandInput Urgent) DisinfectantShort() =>
        (Items(("water", 20, 0.025), ("disinfectant", 5, 0.005)), Warehouse("WH-WATER", East(1), 5, 5000, ("water", 500)),
            Warehouse("WH-DIS", East(-1), 1, 5000, ("disinfectant", 10)),
            Demand("URGENT", East(0), 4, 50, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1)));

    [Fact]
    public void A_demand_past_its_deadline_gets_a_late_convoy_of_what_it_still_needs()
    {
        var late = Demand("LATE", East(2), 1, 10, TimeSpan.FromHours(-1), ("water", 10));
        var depot = Warehouse("WH-A", East(0), 2, 1000, ("water", 50));

        var plan = LateRelief.Plan(Optimal(), [late], LateUntil(late), [depot], Water, Now);

        var convoy = Assert.Single(plan.Allocations);
        Assert.Equal(("LATE", "WH-A", "water", 10L), (convoy.DemandId, convoy.WarehouseId, convoy.ItemCode, convoy.Quantity));
        Assert.True(convoy.Eta > late.Deadline);
        Assert.Equal(0, plan.PeopleCovered); // nobody by the deadline: it has passed
        Assert.Equal(10, plan.LatePeopleCovered);
        Assert.Equal(10, plan.CoveredByDemand["LATE"]);
        Assert.Empty(plan.Shortfalls);
    }

    [Fact]
    public void Late_relief_gets_only_what_the_plan_for_the_deadline_leaves_and_is_short_of_the_rest()
    {
        var onTime = Demand("NOW", East(1), 1, 8, TimeSpan.FromHours(2), ("water", 8));
        var late = Demand("LATE", East(2), 5, 10, TimeSpan.FromHours(-1), ("water", 10)); // more urgent, but past its deadline
        var depot = Warehouse("WH-A", East(0), 4, 1000, ("water", 12));

        var plan = LateRelief.Plan(Optimal(), [onTime, late], LateUntil(onTime, late), [depot], Water, Now);

        Assert.Equal(8, plan.Allocations.Where(a => a.DemandId == "NOW").Sum(a => a.Quantity));
        Assert.Equal(8, plan.PeopleCovered);
        // 4 bottles are left: a kit for 4 of the 10 late people.
        Assert.Equal(4, plan.Allocations.Where(a => a.DemandId == "LATE").Sum(a => a.Quantity));
        Assert.Equal(4, plan.LatePeopleCovered);
        var shortfall = Assert.Single(plan.Shortfalls);
        Assert.Equal(("LATE", 6L, ShortfallReason.StockShort), (shortfall.DemandId, shortfall.Missing, shortfall.Reason));
    }

    [Fact]
    public void A_demand_no_warehouse_can_reach_by_its_deadline_gets_a_late_convoy_and_keeps_its_TooFar_shortfall()
    {
        // Loading alone takes 20 minutes: nothing arrives within 10.
        var cutOff = Demand("FAR", East(3), 1, 6, TimeSpan.FromMinutes(10), ("water", 6));
        var depot = Warehouse("WH-A", East(0), 1, 1000, ("water", 20));

        var plan = LateRelief.Plan(Optimal(), [cutOff], LateUntil(cutOff), [depot], Water, Now);

        var convoy = Assert.Single(plan.Allocations);
        Assert.Equal(6, convoy.Quantity);
        Assert.True(convoy.Eta > cutOff.Deadline);
        Assert.Equal(0, plan.CoveredByDemand.GetValueOrDefault("FAR")); // by its deadline
        Assert.Equal(6, plan.LatePeopleCovered);
        var shortfall = Assert.Single(plan.Shortfalls); // the promise it misses, which the escalation to the city is about
        Assert.Equal(("FAR", 6L, ShortfallReason.TooFar), (shortfall.DemandId, shortfall.Missing, shortfall.Reason));
        // Its times in the district's time, to the second, as the request to the city quotes them (never UTC beside +08:00).
        Assert.Matches(@"would arrive at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00, \d+ min after it is needed by \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00\)$",
            shortfall.Detail);
    }

    [Fact]
    public void A_shortfall_before_the_deadline_lacks_only_what_no_convoy_of_the_plan_brings_by_then()
    {
        // Blankets come only from a depot that mobilises in 2 h: OTHER's kit cannot be whole by its deadline in 1 h, so the plan
        // for the deadline sends it nothing. The late solve sends the water (in time) and the blankets (late).
        var items = Items(("water", 1, 0.001), ("blanket", 2, 0.005));
        var water = Warehouse("WH-WATER", East(1), 1, 1000, ("water", 50));
        var blankets = Warehouse("WH-SLOW", East(1), 1, 1000, ("blanket", 50)) with { Mobilisation = TimeSpan.FromHours(2) };
        var other = Demand("OTHER", East(0), 1, 10, TimeSpan.FromHours(1), ("water", 10), ("blanket", 10));

        var plan = LateRelief.Plan(Optimal(), [other], LateUntil(other), [water, blankets], items, Now);

        var waterConvoy = Assert.Single(plan.Allocations, a => a.ItemCode == "water");
        Assert.True(waterConvoy.Eta <= other.Deadline);
        Assert.True(Assert.Single(plan.Allocations, a => a.ItemCode == "blanket").Eta > other.Deadline);
        // Only the blankets are short by the deadline; the water, all of it arriving in time, is not.
        var shortfall = Assert.Single(plan.Shortfalls);
        Assert.Equal(("OTHER", "blanket", 10L, ShortfallReason.TooFar), (shortfall.DemandId, shortfall.ItemCode, shortfall.Missing, shortfall.Reason));
    }

    [Fact]
    public void Late_convoys_never_use_the_trucks_of_the_plan_for_the_deadline()
    {
        // One truck: the demand that can still be reached in time has it.
        var onTime = Demand("NOW", East(1), 1, 5, TimeSpan.FromHours(2), ("water", 5));
        var late = Demand("LATE", East(1.5), 9, 5, TimeSpan.FromHours(-1), ("water", 5));
        var depot = Warehouse("WH-A", East(0), 1, 1000, ("water", 100));

        var plan = LateRelief.Plan(Optimal(), [onTime, late], LateUntil(onTime, late), [depot], Water, Now);

        Assert.Equal(["NOW"], plan.Allocations.Select(a => a.DemandId).Distinct());
        Assert.Equal(ShortfallReason.NoTrucks, Assert.Single(plan.Shortfalls).Reason);
        Assert.Equal("LATE", plan.Shortfalls[0].DemandId);
    }

    [Fact]
    public void A_demand_past_its_late_limit_or_without_one_is_not_planned()
    {
        var late = Demand("LATE", East(2), 1, 10, TimeSpan.FromHours(-5), ("water", 10));
        var depot = Warehouse("WH-A", East(0), 2, 1000, ("water", 50));

        var over = LateRelief.Plan(Optimal(), [late], new Dictionary<string, DateTimeOffset> { ["LATE"] = Now.AddMinutes(-1) }, [depot], Water, Now);
        var none = LateRelief.Plan(Optimal(), [late], new Dictionary<string, DateTimeOffset>(), [depot], Water, Now);

        Assert.Empty(over.Allocations);
        Assert.Empty(over.Shortfalls);
        Assert.Empty(none.Allocations);
    }

    [Fact]
    public void The_rest_of_a_demand_the_plan_for_the_deadline_serves_in_part_is_planned_late_at_once()
    {
        // WH-NEAR brings 4 kits in time; WH-SLOW, mobilising for 3 hours, can bring the other 6 only after the deadline. They
        // are ordered now, not once the deadline has passed (which would add the deadline's 2 hours to those people's wait).
        var part = Demand("PART", East(1), 1, 10, TimeSpan.FromHours(2), ("water", 10));
        var near = Warehouse("WH-NEAR", East(0), 1, 1000, ("water", 4));
        var slow = Warehouse("WH-SLOW", East(0.5), 1, 1000, ("water", 50)) with { Mobilisation = TimeSpan.FromHours(3) };

        var plan = LateRelief.Plan(Optimal(), [part], LateUntil(part), [near, slow], Water, Now);

        Assert.Equal(4, plan.Allocations.Where(a => a.WarehouseId == "WH-NEAR").Sum(a => a.Quantity));
        var late = Assert.Single(plan.Allocations, a => a.WarehouseId == "WH-SLOW");
        Assert.Equal(6, late.Quantity);
        Assert.True(late.Eta > part.Deadline);
        Assert.Equal((4, 6), (plan.PeopleCovered, plan.LatePeopleCovered));
        Assert.Equal(4, plan.CoveredByDemand["PART"]); // by its deadline
        var shortfall = Assert.Single(plan.Shortfalls); // the promise still misses 6 kits: escalated as before
        Assert.Equal(("PART", 6L), (shortfall.DemandId, shortfall.Missing));
    }

    [Fact]
    public void The_rest_of_a_demand_served_in_part_counts_in_time_when_its_late_convoys_arrive_by_the_deadline()
    {
        // The plan for the deadline (cut short, as a surge's budget may cut it) serves PART from WH-NEAR only; the later solve
        // finds WH-MORE can bring the rest by the deadline too.
        var part = Demand("PART", East(1), 2, 10, TimeSpan.FromHours(2), ("water", 10));
        var near = Warehouse("WH-NEAR", East(0), 1, 1000, ("water", 4));
        var more = Warehouse("WH-MORE", East(2), 1, 1000, ("water", 50));

        var plan = LateRelief.Plan(new Without(Optimal(), "WH-MORE"), [part], LateUntil(part), [near, more], Water, Now);

        Assert.Equal(6, Assert.Single(plan.Allocations, a => a.WarehouseId == "WH-MORE").Quantity);
        Assert.Equal((10, 0), (plan.PeopleCovered, plan.LatePeopleCovered));
        Assert.Equal(10, plan.CoveredByDemand["PART"]);
        Assert.Equal(20, plan.PeopleCoveredWeighted);
        Assert.Empty(plan.Shortfalls);
    }

    [Fact]
    public void Items_held_back_only_by_another_item_of_the_kit_are_sent_anyway_as_partial_kits_from_what_is_left()
    {
        // Disinfectant is held only at WH-DIS, whose one truck goes to the more urgent demand. The other demand's water waits for
        // no disinfectant: WH-WATER's idle trucks bring it, though nobody there counts as relieved.
        var (items, water, disinfectant, urgent) = DisinfectantShort();
        var other = Demand("OTHER", East(0.5), 1, 50, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1));

        var plan = LateRelief.Plan(Optimal(), [urgent, other], LateUntil(urgent, other), [water, disinfectant], items, Now);

        Assert.Equal(10, plan.Allocations.Where(a => a.DemandId == "OTHER" && a.ItemCode == "water").Sum(a => a.Quantity));
        Assert.DoesNotContain(plan.Allocations, a => a.DemandId == "OTHER" && a.ItemCode == "disinfectant");
        Assert.Equal((50, 0), (plan.CoveredByDemand["URGENT"], plan.CoveredByDemand["OTHER"])); // the whole-kit rule stands
        Assert.Equal(50, plan.PeopleCovered);
        Assert.Equal(10, plan.PartialKitUnits);
        // The water line is gone (all of it is sent); the disinfectant stays short, and says why.
        var left = Assert.Single(plan.Shortfalls, s => s.DemandId == "OTHER");
        Assert.Equal(("disinfectant", ShortfallReason.NoTrucks), (left.ItemCode, left.Reason));
        // The urgent demand's own convoys are as the plan for the deadline made them.
        Assert.Equal(10, plan.Allocations.Where(a => a.DemandId == "URGENT" && a.ItemCode == "water").Sum(a => a.Quantity));
    }

    [Fact]
    public void A_partial_kit_goes_without_an_item_the_late_solve_took_the_last_of_and_that_item_is_short_of_stock()
    {
        // The partial-kit case above with lamps in OTHER's kit: WH-LAMP's 5 lamps are in reach of OTHER, but the late solve,
        // which comes first, gives them to LATE (past its deadline, relieved by them). OTHER's water still goes.
        var items = Items(("water", 20, 0.025), ("disinfectant", 5, 0.005), ("lighting", 1, 0.002));
        var water = Warehouse("WH-WATER", East(1), 5, 5000, ("water", 500));
        var disinfectant = Warehouse("WH-DIS", East(-1), 1, 5000, ("disinfectant", 10));
        var lamps = Warehouse("WH-LAMP", East(0.2), 2, 5000, ("lighting", 5));
        var urgent = Demand("URGENT", East(0), 4, 50, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1));
        var other = Demand("OTHER", East(0.5), 1, 50, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1), ("lighting", 5));
        var late = Demand("LATE", East(2), 1, 5, TimeSpan.FromHours(-1), ("lighting", 5));

        var plan = LateRelief.Plan(Optimal(), [urgent, other, late], LateUntil(urgent, other, late), [water, disinfectant, lamps], items, Now);

        Assert.Equal(5, plan.Allocations.Where(a => a.DemandId == "LATE" && a.ItemCode == "lighting").Sum(a => a.Quantity));
        Assert.Equal(10, plan.Allocations.Where(a => a.DemandId == "OTHER" && a.ItemCode == "water").Sum(a => a.Quantity));
        Assert.Equal(10, plan.PartialKitUnits);
        // The lamps line says what is missing, so the city is asked for it; the disinfectant stays short of trucks.
        var lighting = Assert.Single(plan.Shortfalls, s => s.DemandId == "OTHER" && s.ItemCode == "lighting");
        Assert.Equal((5L, ShortfallReason.StockShort), (lighting.Missing, lighting.Reason));
        Assert.Equal(ShortfallReason.NoTrucks, Assert.Single(plan.Shortfalls, s => s.DemandId == "OTHER" && s.ItemCode == "disinfectant").Reason);
        Assert.DoesNotContain(plan.Shortfalls, s => s.DemandId == "OTHER" && s.ItemCode == "water");
    }

    [Fact]
    public void Partial_kit_units_count_a_partial_kit_the_late_solve_keeps_from_the_plan_in_force()
    {
        // LATE and SMALL are past their deadline. WH-DIS's one truck goes to URGENT, so LATE's water goes as a partial kit, and
        // the late solve relieves SMALL. Re-planned with LATE's convoy in force, the late solve keeps it (a convoy in force
        // counts there): still a partial kit, relieving nobody.
        var (items, water, disinfectant, urgent) = DisinfectantShort();
        var late = Demand("LATE", East(0.5), 1, 50, TimeSpan.FromHours(-1), ("water", 10), ("disinfectant", 1));
        var small = Demand("SMALL", East(1.5), 1, 5, TimeSpan.FromHours(-1), ("water", 5));
        var fresh = LateRelief.Plan(Optimal(), [urgent, late, small], LateUntil(urgent, late, small), [water, disinfectant], items, Now);
        Assert.Equal((5, 10L), (fresh.LatePeopleCovered, fresh.PartialKitUnits));
        var inForce = fresh.Allocations.Select(a => new ReliefLoad(a.DemandId, a.WarehouseId, a.ItemCode, a.Quantity)).ToList();

        var replan = LateRelief.Plan(Optimal(), [urgent, late, small], LateUntil(urgent, late, small), [water, disinfectant], items, Now, inForce);

        Assert.Equal(10, replan.Allocations.Where(a => a.DemandId == "LATE" && a.ItemCode == "water").Sum(a => a.Quantity));
        Assert.Equal((5, 10L), (replan.LatePeopleCovered, replan.PartialKitUnits));
    }

    [Fact]
    public void A_re_plan_keeps_the_partial_kit_convoy_in_force_rather_than_draw_it_anew()
    {
        // The partial-kit case above with a second water depot nearer to OTHER. From scratch OTHER's water comes from the nearer
        // one; a re-plan given the plan in force with it from the farther one keeps that convoy (both relieve nobody more).
        var items = Items(("water", 20, 0.025), ("disinfectant", 5, 0.005));
        var far = Warehouse("WH-WATER", East(1), 5, 5000, ("water", 500));
        var near = Warehouse("WH-WATER-2", East(0.6), 5, 5000, ("water", 500));
        var disinfectant = Warehouse("WH-DIS", East(-1), 1, 5000, ("disinfectant", 10));
        var urgent = Demand("URGENT", East(0), 4, 50, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1));
        var other = Demand("OTHER", East(0.5), 1, 50, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1));
        List<ReliefWarehouse> warehouses = [far, near, disinfectant];
        var fresh = LateRelief.Plan(Optimal(), [urgent, other], LateUntil(urgent, other), warehouses, items, Now);
        Assert.Equal(["WH-WATER-2"], fresh.Allocations.Where(a => a.DemandId == "OTHER").Select(a => a.WarehouseId).Distinct());
        var inForce = fresh.Allocations
            .Select(a => new ReliefLoad(a.DemandId, a.DemandId == "OTHER" ? "WH-WATER" : a.WarehouseId, a.ItemCode, a.Quantity)).ToList();

        var replan = LateRelief.Plan(Optimal(), [urgent, other], LateUntil(urgent, other), warehouses, items, Now, inForce);

        var water = Assert.Single(replan.Allocations, a => a.DemandId == "OTHER");
        Assert.Equal(("WH-WATER", "water", 10L), (water.WarehouseId, water.ItemCode, water.Quantity));
        Assert.Equal(10, replan.PartialKitUnits);
    }

    [Fact]
    public void The_late_and_partial_kit_solves_go_to_the_planner_for_later_solves_and_the_plan_for_the_deadline_does_not()
    {
        // The partial-kit case above and a demand past its deadline: the first solve serves URGENT; the late solve has LATE and
        // OTHER, which the first sends nothing to; the third sends OTHER's water. Each solve is recorded by the planner that made it.
        var (items, water, disinfectant, urgent) = DisinfectantShort();
        var other = Demand("OTHER", East(0.5), 1, 50, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1));
        var late = Demand("LATE", East(2), 1, 10, TimeSpan.FromHours(-1), ("water", 10));
        var first = new Recording(Optimal());
        var later = new Recording(Optimal());
        first.Later = later;

        var plan = LateRelief.Plan(first, [urgent, other, late], LateUntil(urgent, other, late), [water, disinfectant], items, Now);

        Assert.Equal([["OTHER", "URGENT"]], first.Solves);
        Assert.Equal([["LATE", "OTHER"], ["OTHER"]], later.Solves); // the late solve, then partial kits
        Assert.Equal((50, 10, 10L), (plan.PeopleCovered, plan.LatePeopleCovered, plan.PartialKitUnits));
    }

    [Fact]
    public void The_optimal_planners_later_solves_have_their_share_of_the_budget()
    {
        var planner = Optimal(Exact with { TimeLimit = TimeSpan.FromSeconds(2), LaterSolvesShare = 0.25 });

        var later = Assert.IsType<OptimalReliefPlanner>(planner.ForLaterSolves());

        Assert.Equal(TimeSpan.FromMilliseconds(500), later.Options.TimeLimit);
        Assert.True(later.Options.EarliestFirst);
        Assert.False(planner.Options.EarliestFirst);
        Assert.Same(later, later.ForLaterSolves()); // a later solve's own later solves are the same planner
        var whole = Assert.IsType<OptimalReliefPlanner>(Optimal(Exact with { LaterSolvesShare = 1 }).ForLaterSolves());
        Assert.Equal(Exact.TimeLimit, whole.Options.TimeLimit);
        Assert.Throws<ArgumentException>(() => Optimal(Exact with { LaterSolvesShare = 0 }));
    }

    [Fact]
    public void A_demand_the_plan_for_the_deadline_missed_but_the_late_solve_reaches_by_its_deadline_counts_as_covered_in_time()
    {
        // A budget-cut plan for the deadline can miss a demand that the stock and trucks it leaves could serve in time (here
        // the first solve does not see SECOND at all). The late solve's convoy arrives well before SECOND's deadline.
        var first = Demand("FIRST", East(1), 2, 10, TimeSpan.FromHours(3), ("water", 10));
        var second = Demand("SECOND", East(-1), 3, 20, TimeSpan.FromHours(3), ("water", 20));
        var depot = Warehouse("WH-A", East(0), 2, 1000, ("water", 100));
        var planner = new Blind(Optimal(), "SECOND");

        var plan = LateRelief.Plan(planner, [first, second], LateUntil(first, second), [depot], Water, Now);

        var convoy = Assert.Single(plan.Allocations, a => a.DemandId == "SECOND");
        Assert.True(convoy.Eta <= second.Deadline);
        Assert.Equal((30, 0), (plan.PeopleCovered, plan.LatePeopleCovered));
        Assert.Equal(2 * 10 + 3 * 20, plan.PeopleCoveredWeighted);
        Assert.Equal((10, 20), (plan.CoveredByDemand["FIRST"], plan.CoveredByDemand["SECOND"]));
        Assert.Empty(plan.Shortfalls);
    }

    [Fact]
    public void A_demand_before_its_deadline_whose_late_convoy_arrives_after_it_stays_late()
    {
        // WH-A's one truck goes to FIRST (more weighted people); the rest is at a warehouse mobilising past both deadlines.
        var first = Demand("FIRST", East(1), 3, 10, TimeSpan.FromHours(3), ("water", 10));
        var slower = Demand("SLOWER", East(-1), 1, 20, TimeSpan.FromHours(1), ("water", 20));
        var near = Warehouse("WH-A", East(0), 1, 1000, ("water", 10));
        var slow = Warehouse("WH-SLOW", East(0), 1, 1000, ("water", 20)) with { Mobilisation = TimeSpan.FromHours(4) };

        var plan = LateRelief.Plan(Optimal(), [first, slower], LateUntil(first, slower), [near, slow], Water, Now);

        Assert.True(Assert.Single(plan.Allocations, a => a.DemandId == "SLOWER").Eta > slower.Deadline);
        Assert.Equal((10, 20), (plan.PeopleCovered, plan.LatePeopleCovered));
        Assert.Equal(0, plan.CoveredByDemand["SLOWER"]);
        Assert.Contains(plan.Shortfalls, s => s.DemandId == "SLOWER"); // the promise cannot be kept: escalated as before
    }

    [Fact]
    public void A_demand_the_late_solve_brings_whole_kits_gets_no_second_copy_of_them_as_partial_kits()
    {
        // Disinfectant is only at a warehouse mobilising past the deadline: the plan for the deadline sends nothing (water is
        // KitIncomplete), the late solve brings all 10 whole kits. The water it brings is all the water the demand needs.
        var items = Items(("water", 1, 0.001), ("disinfectant", 1, 0.001));
        var demand = Demand("D", East(1), 1, 10, TimeSpan.FromHours(1), ("water", 10), ("disinfectant", 2));
        var water = Warehouse("WH-WATER", East(0), 3, 1000, ("water", 100));
        var slow = Warehouse("WH-SLOW", East(0.5), 1, 1000, ("disinfectant", 10)) with { Mobilisation = TimeSpan.FromHours(2) };

        var plan = LateRelief.Plan(Optimal(), [demand], LateUntil(demand), [water, slow], items, Now);

        Assert.Equal(10, plan.LatePeopleCovered);
        Assert.Equal(10, plan.Allocations.Where(a => a.ItemCode == "water").Sum(a => a.Quantity));
        Assert.Equal(2, plan.Allocations.Where(a => a.ItemCode == "disinfectant").Sum(a => a.Quantity));
        Assert.Equal(0, plan.PartialKitUnits);
    }

    [Fact]
    public void Late_convoys_come_from_the_warehouse_that_arrives_first_not_the_nearest()
    {
        // The nearest warehouse is an agreement reserve mobilising for 4 hours; a depot 10 km further away is on the road in
        // 20 minutes. The people are already past their deadline: the depot's convoy, not the fewest ton-km.
        var late = Demand("LATE", East(1), 1, 10, TimeSpan.FromHours(-1), ("water", 10));
        var reserve = Warehouse("WH-RESERVE", East(1.5), 1, 1000, ("water", 50)) with { Mobilisation = TimeSpan.FromHours(4) };
        var depot = Warehouse("WH-DEPOT", East(11), 1, 1000, ("water", 50)) with { Mobilisation = TimeSpan.FromMinutes(20) };

        var plan = LateRelief.Plan(Optimal(), [late], LateUntil(late), [reserve, depot], Water, Now);

        var convoy = Assert.Single(plan.Allocations);
        Assert.Equal(("WH-DEPOT", 10L), (convoy.WarehouseId, convoy.Quantity));
        Assert.True(convoy.Eta < Now.AddHours(2));
        // The plan for the deadline itself still takes the fewest ton-km among plans that cover as many people in time.
        var onTime = Demand("NOW", East(1), 1, 10, TimeSpan.FromHours(6), ("water", 10));
        Assert.Equal("WH-RESERVE", Assert.Single(Optimal().Plan([onTime], [reserve, depot], Water, Now).Allocations).WarehouseId);
    }

    [Fact]
    public void A_demand_before_its_deadline_that_only_late_relief_reaches_gets_its_partial_kit_while_one_item_lacks_a_truck()
    {
        // Nothing reaches LATE within its 10 minutes. Disinfectant's only truck goes to the urgent demand, so late relief can
        // bring LATE no whole kit; its water still goes now, as it would once its deadline had passed.
        var items = Items(("water", 1, 0.001), ("disinfectant", 1, 0.001));
        var urgent = Demand("URGENT", East(1), 4, 10, TimeSpan.FromHours(3), ("water", 10), ("disinfectant", 1));
        var late = Demand("LATE", East(2), 1, 20, TimeSpan.FromMinutes(10), ("water", 20), ("disinfectant", 1));
        var water = Warehouse("WH-WATER", East(0), 2, 1000, ("water", 100));
        var disinfectant = Warehouse("WH-DIS", East(0.5), 1, 1000, ("disinfectant", 10));

        var plan = LateRelief.Plan(Optimal(), [urgent, late], LateUntil(urgent, late), [water, disinfectant], items, Now);

        Assert.Equal(10, plan.PeopleCovered);
        Assert.Equal(20, plan.Allocations.Where(a => a.DemandId == "LATE" && a.ItemCode == "water").Sum(a => a.Quantity));
        Assert.DoesNotContain(plan.Allocations, a => a.DemandId == "LATE" && a.ItemCode == "disinfectant");
        Assert.Equal(20, plan.PartialKitUnits);
        Assert.Equal(0, plan.LatePeopleCovered); // nobody is relieved without the whole kit
        // Its shortfalls stay the deadline's (what the city is asked for): both items TooFar.
        Assert.Equal([("disinfectant", ShortfallReason.TooFar), ("water", ShortfallReason.TooFar)],
            plan.Shortfalls.Where(s => s.DemandId == "LATE").Select(s => (s.ItemCode, s.Reason)).Order());
    }

    [Fact]
    public void A_route_both_the_deadline_plan_and_the_late_solve_use_is_one_convoy_with_the_trucks_of_both()
    {
        // Blankets for only 4 people arrive in time (WH-B); the rest come late from WH-SLOW. WH-A (trucks of 6 kg) sends water in
        // time for those 4 on one truck, and the rest late on its other truck: one convoy WH-A -> PART of 2 trucks, not two rows of 1.
        var items = Items(("water", 1, 0.001), ("blanket", 1, 0.001));
        var part = Demand("PART", East(1), 1, 10, TimeSpan.FromHours(2), ("water", 10), ("blanket", 10));
        var water = Warehouse("WH-A", East(0), 2, 6, ("water", 100));
        var blankets = Warehouse("WH-B", East(0.5), 1, 1000, ("blanket", 4));
        var slow = Warehouse("WH-SLOW", East(-0.5), 1, 1000, ("blanket", 50)) with { Mobilisation = TimeSpan.FromHours(3) };

        var plan = LateRelief.Plan(Optimal(), [part], LateUntil(part), [water, blankets, slow], items, Now);

        Assert.Equal((4, 6), (plan.PeopleCovered, plan.LatePeopleCovered));
        var convoy = plan.Allocations.Where(a => a.WarehouseId == "WH-A").ToList();
        Assert.Equal(10, convoy.Sum(a => a.Quantity));
        Assert.All(convoy, a => Assert.Equal(2, a.Trucks));
        Assert.Equal(0, LateRelief.Left([water], plan.Allocations).Single().Trucks);
    }

    [Fact]
    public void On_random_instances_late_relief_fits_every_convoy_in_its_trucks_and_sends_no_more_trucks_stock_or_kit_than_there_is()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var rng = new Random(seed);
            var instance = LateInstance(rng);
            var demands = instance.Demands;
            var lateUntil = demands.ToDictionary(d => d.DemandId, _ => Now + LateWindow);

            var plan = LateRelief.Plan(Optimal(), demands, lateUntil, instance.Warehouses, instance.Items, Now);

            var context = $"seed {seed}";
            // The coordinator's own last check agrees (it must never refuse a plan the solves can make).
            var breaches = ReliefPlanCheck.Breaches(plan.Allocations, instance.Warehouses, instance.Items);
            Assert.True(breaches.Count == 0, $"{context}: {string.Join("; ", breaches)}");
            foreach (var convoy in plan.Allocations.GroupBy(a => (a.WarehouseId, a.DemandId)))
            {
                var wh = instance.Warehouses.Single(w => w.Id == convoy.Key.WarehouseId);
                var trucks = convoy.First().Trucks;
                Assert.True(convoy.All(a => a.Trucks == trucks), $"{context}: rows of one convoy disagree on its trucks");
                var kg = convoy.Sum(a => a.Quantity * instance.Items[a.ItemCode].WeightKg);
                var m3 = convoy.Sum(a => a.Quantity * instance.Items[a.ItemCode].VolumeM3);
                Assert.True(kg <= trucks * wh.TruckCapacityKg * (1 + 1e-9) && m3 <= trucks * wh.TruckCapacityM3 * (1 + 1e-9),
                    $"{context}: {convoy.Key} carries {kg} kg / {m3} m3 on {trucks} truck(s) of {wh.TruckCapacityKg} kg / {wh.TruckCapacityM3} m3");
            }
            foreach (var wh in instance.Warehouses)
            {
                var mine = plan.Allocations.Where(a => a.WarehouseId == wh.Id).ToList();
                Assert.True(mine.GroupBy(a => a.DemandId).Sum(g => g.First().Trucks) <= wh.Trucks, $"{context}: {wh.Id} sends more trucks than it has");
                foreach (var item in mine.GroupBy(a => a.ItemCode))
                    Assert.True(item.Sum(a => a.Quantity) <= wh.Available.GetValueOrDefault(item.Key), $"{context}: {wh.Id} sends more {item.Key} than it holds");
            }
            foreach (var d in demands)
                foreach (var item in plan.Allocations.Where(a => a.DemandId == d.DemandId).GroupBy(a => a.ItemCode))
                    Assert.True(item.Sum(a => a.Quantity) <= d.Kit.GetValueOrDefault(item.Key), $"{context}: {d.DemandId} is sent more {item.Key} than its kit");
        }
    }

    /// <summary>
    /// A random instance where every solve of LateRelief has work: 2 to 4 warehouses, some mobilising past the deadlines (so
    /// parts of kits come late), 1 to 3 trucks that bind; 2 to 4 demands of 5 to 40 people, some past their deadline; 2 or 3 items.
    /// </summary>
    internal static Instance LateInstance(Random rng)
    {
        var items = new Dictionary<string, ReliefItemSpec>();
        for (var i = 0; i < rng.Next(2, 4); i++) items[$"item-{i}"] = new ReliefItemSpec($"item-{i}", rng.Next(1, 4), rng.Next(0, 3) / 8.0);
        var codes = items.Keys.ToArray();
        var warehouses = new List<ReliefWarehouse>();
        for (var w = 0; w < rng.Next(2, 5); w++)
            warehouses.Add(new ReliefWarehouse($"WH-{w}", East(rng.Next(-8, 9)), TimeSpan.FromMinutes(rng.Next(4) == 0 ? rng.Next(120, 300) : rng.Next(0, 40)),
                rng.Next(1, 4), 10 * rng.Next(2, 8), 2 * rng.Next(1, 6),
                codes.Where(_ => rng.Next(4) > 0).ToDictionary(c => c, _ => (long)rng.Next(5, 60))));
        var demands = new List<ReliefDemandInput>();
        for (var d = 0; d < rng.Next(2, 5); d++)
        {
            var people = rng.Next(5, 41);
            var within = rng.Next(4) == 0 ? TimeSpan.FromMinutes(-rng.Next(1, 60)) : TimeSpan.FromMinutes(rng.Next(40, 181));
            demands.Add(Demand($"RD-{d}", East(rng.Next(-8, 9)), rng.Next(1, 5), people, within,
                [.. codes.Where(_ => rng.Next(5) > 0).Select(c => (c, (long)Math.Ceiling(people * (0.2 + rng.NextDouble()))))]));
        }
        return new Instance(demands, warehouses, items);
    }

    /// <summary>The first solve does not see one demand (as a plan cut short by its budget may miss it); later solves do.</summary>
    private sealed class Blind(IReliefPlanner inner, string hidden) : IReliefPlanner
    {
        public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
            IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null) =>
            inner.Plan([.. demands.Where(d => d.DemandId != hidden)], warehouses, items, now, inForce);

        public IReliefPlanner ForLaterSolves() => inner;
    }

    /// <summary>The first solve does not see one warehouse; later solves do.</summary>
    private sealed class Without(IReliefPlanner inner, string hidden) : IReliefPlanner
    {
        public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
            IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null) =>
            inner.Plan(demands, [.. warehouses.Where(w => w.Id != hidden)], items, now, inForce);

        public IReliefPlanner ForLaterSolves() => inner;
    }

    private sealed class Recording(IReliefPlanner inner) : IReliefPlanner
    {
        public List<string[]> Solves { get; } = [];
        public IReliefPlanner? Later { get; set; }

        public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
            IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null)
        {
            Solves.Add([.. demands.Select(d => d.DemandId).Order(StringComparer.Ordinal)]);
            return inner.Plan(demands, warehouses, items, now, inForce);
        }

        public IReliefPlanner ForLaterSolves() => Later ?? this;
    }

    [Fact]
    public void Two_plans_rows_on_the_same_route_become_one_convoy_on_the_trucks_its_whole_load_needs()
    {
        // Trucks of 10 kg. Each unit weighs 1 kg, so 5 units of anything is half a truck.
        var items = Items(("water", 1, 0.001), ("rice", 1, 0.001), ("blanket", 1, 0.001));
        var depot = Warehouse("WH-A", East(0), 10, 10, ("water", 100), ("rice", 100), ("blanket", 100));
        Allocation Row(string demand, string item, long quantity, int trucks) => new(demand, "WH-A", item, quantity, Now, Now.AddMinutes(40), 3, trucks);

        var combined = LateRelief.Combine(
            [Row("D1", "water", 5, 1), Row("D1", "rice", 5, 1), Row("D2", "water", 5, 1), Row("D4", "water", 5, 1)],
            [Row("D1", "blanket", 5, 1), Row("D3", "water", 5, 4), Row("D4", "rice", 2, 1)], [depot], items);

        // D1: 15 kg needs 2 trucks (as its two plans' 1 + 1); D4: 7 kg shares one truck (not 1 + 1); D2 and D3 keep theirs.
        Assert.Equal([("D1", 2), ("D1", 2), ("D2", 1), ("D4", 1), ("D1", 2), ("D3", 4), ("D4", 1)], combined.Select(r => (r.DemandId, r.Trucks)));
    }

    [Fact]
    public void What_is_left_takes_out_each_convoy_once_and_each_line_of_stock()
    {
        var a = Warehouse("WH-A", East(0), 5, 1000, ("water", 50), ("rice", 9));
        var b = Warehouse("WH-B", East(1), 2, 1000, ("water", 7));
        Allocation Line(string demand, string item, long quantity, int trucks) => new(demand, "WH-A", item, quantity, Now, Now, 1, trucks);

        // The D1 convoy of 2 trucks carries two items: its trucks count once.
        var left = LateRelief.Left([a, b], [Line("D1", "water", 10, 2), Line("D1", "rice", 9, 2), Line("D2", "water", 5, 1)]);

        Assert.Equal(2, left[0].Trucks);
        Assert.Equal(35, left[0].Available["water"]);
        Assert.Equal(0, left[0].Available["rice"]);
        Assert.Equal(2, left[1].Trucks);
        Assert.Equal(7, left[1].Available["water"]);
    }
}
